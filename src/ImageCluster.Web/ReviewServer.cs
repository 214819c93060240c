using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using ImageCluster.Review;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageCluster.Web;

/// <summary>
/// The local review page of one run: a web server on 127.0.0.1 only, with a fresh random token per start that every
/// request must carry. Stop it by disposing.
/// </summary>
public sealed class ReviewServer : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly WebApplication _app;
    private readonly ReviewModel _model;

    private ReviewServer(WebApplication app, ReviewModel model, AccessGuard guard, int port)
    {
        _app = app;
        _model = model;
        Token = guard.Token;
        Port = port;
    }

    /// <summary>The port it listens on (on 127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>This start's token.</summary>
    public string Token { get; }

    /// <summary>The address to open: the page with the token, which it trades for a cookie on first load.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/?token={Token}");

    /// <summary>The address without the token (what a page of another start, or a stranger, would have).</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Opens the review of <paramref name="runFolder"/> and starts serving it.</summary>
    /// <param name="runFolder">A run folder written by <c>imagecluster cluster</c>.</param>
    /// <param name="port">Port on 127.0.0.1; 0 picks a free one.</param>
    /// <exception cref="ImageClusterException">Not a run folder of images, or the port is taken.</exception>
    public static async Task<ReviewServer> StartAsync(string runFolder, int port = 0)
    {
        if (port is < 0 or > 65535) throw new ImageClusterException($"--port takes 0 (any free port) to 65535, not {port}");
        var model = new ReviewModel(ReviewSession.Open(runFolder));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The server is embedded (in the CLI, in a user's program): the host must not take SIGTERM and Ctrl+C for itself.
        // Its console lifetime did, and a SIGTERM in the first second after start was swallowed (issue 14, item 12); the
        // process that embeds the server decides when to stop it (the CLI: on its command's cancellation).
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        // Loopback only, by address: no other interface of the machine ever accepts a connection.
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        var app = builder.Build();
        try
        {
            // The port is only known once listening, and the guard needs it: routes resolve the guard lazily.
            AccessGuard? guard = null;
            app.Use(async (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer"; // the first URL holds the token
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self'; object-src 'none'; frame-ancestors 'none'";
                if (guard is null)
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return;
                }
                if (guard.Check(context) is { } refused)
                {
                    context.Response.StatusCode = refused.Status;
                    await context.Response.WriteAsync(refused.Message + "\n");
                    return;
                }
                await next(context);
            });
            ReviewEndpoints.Map(app, model, () => guard!);
            await app.StartAsync();
            int actual = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            guard = new AccessGuard(actual);
            return new ReviewServer(app, model, guard, actual);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            model.Dispose();
            throw new ImageClusterException($"cannot listen on 127.0.0.1:{port}: {e.Message}; choose another --port or 0 for any free one");
        }
    }

    /// <summary>The host's services (tests check what the host was given).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Stops the server and closes the run's store.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _model.Dispose();
    }
}

/// <summary>A host lifetime that listens to no signal: the embedding process owns them.</summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
