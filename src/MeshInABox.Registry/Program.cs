using MeshInABox.Registry.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddRegistry();

var app = builder.Build();
app.MapRegistry();
app.Run();
