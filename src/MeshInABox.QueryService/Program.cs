using MeshInABox.QueryService.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddQueryService();

var app = builder.Build();
app.MapQueryService();
app.Run();
