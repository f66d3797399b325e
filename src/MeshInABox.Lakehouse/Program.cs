using MeshInABox.Lakehouse.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddLakehouse();

var app = builder.Build();
app.MapLakehouse();
app.Run();
