using System.Data;
using MeshInABox.Lakehouse.Apis;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>The pool of fresh query databases when opening one fails: a prompt 503 for the waiting query, then a fresh try.</summary>
public sealed class DuckDbPoolTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task OpenThatFailsOnce_IsUnavailableForTheWaitingQuery_AndTheNextQueryGetsADatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        var opens = 0;
        using var pool = new DuckDbPool(() => Interlocked.Increment(ref opens) == 1 ? throw new IOException("out of file handles") : QueryEngine.NewDatabase());

        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => pool.TakeAsync(ct).AsTask().WaitAsync(Prompt, ct));
        using var duck = await pool.TakeAsync(ct).AsTask().WaitAsync(Prompt, ct);

        Assert.True(error.Unavailable);
        Assert.Contains("out of file handles", error.Message);
        Assert.Equal(ConnectionState.Open, duck.State);
        var http = new DefaultHttpContext();
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, QueryApi.Problem(error, http).StatusCode);
        Assert.Equal("5", http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task OpenThatKeepsFailing_AnswersEveryQuery_NoneWaitsForever()
    {
        var ct = TestContext.Current.CancellationToken;
        var opens = 0;
        using var pool = new DuckDbPool(() =>
        {
            Interlocked.Increment(ref opens);
            throw new IOException("disk full");
        });

        var waiting = Enumerable.Range(0, 3).Select(_ => Assert.ThrowsAsync<QueryRejectedException>(() => pool.TakeAsync(ct).AsTask().WaitAsync(Prompt, ct))).ToList();
        var errors = await Task.WhenAll(waiting);
        var later = await Assert.ThrowsAsync<QueryRejectedException>(() => pool.TakeAsync(ct).AsTask().WaitAsync(Prompt, ct));

        Assert.All(errors.Append(later), e => Assert.True(e.Unavailable));
        // Each failure is followed by a fresh try, not by a pool that gave up.
        Assert.True(Volatile.Read(ref opens) >= 2, $"{opens} opens");
    }
}
