using MeshInABox.QueryService.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddQueryService();

var app = builder.Build();
app.MapQueryService();
app.Run();

/// <summary>Entry point, public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
