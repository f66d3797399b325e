using MeshInABox.Registry.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddRegistry();

var app = builder.Build();
app.MapRegistry();
app.Run();

/// <summary>Entry point, public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
