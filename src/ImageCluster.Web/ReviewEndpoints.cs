using System.Reflection;
using ImageCluster.Export;
using ImageCluster.Images;
using ImageCluster.Review;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ImageCluster.Web;

/// <summary>Request bodies of the page's POSTs.</summary>
internal sealed record VerdictBody(Verdict Verdict);

internal sealed record RenameBody(string Name);

internal sealed record MergeBody(int[] From);

internal sealed record ImagesVerdictBody(int[] Images, Verdict Verdict);

internal sealed record MoveBody(int[] Images, int To);

internal sealed record IssuesBody(string[] Issues);

internal sealed record ExamplesBody(int[]? Like, int[]? Unlike, int[]? Unmark);

internal sealed record AcceptBody(double MinConfidence = ProposalOptions.DefaultMinConfidence, bool Discards = false);

internal sealed record ExportBody(string To, ExportMode Mode = ExportMode.Copy, ExportSelection What = ExportSelection.Kept,
    CollisionPolicy OnCollision = CollisionPolicy.Fail);

/// <summary>
/// The HTTP surface: the page, its script and style (embedded in the assembly), and a JSON API that calls
/// <see cref="ReviewSession"/> and <see cref="Exporter"/>. Images are numbers (rows of assignments.csv); the only path a
/// request may carry is <c>/api/thumb?path=</c> (checked by <see cref="InputPaths"/>) and an export's destination.
/// </summary>
internal static class ReviewEndpoints
{
    public static void Map(WebApplication app, ReviewModel model, Func<AccessGuard> guard)
    {
        var thumbnails = new Thumbnails();

        app.MapGet("/", (HttpContext context) =>
        {
            if (context.Request.Query.ContainsKey("token"))
            {
                // Trade the token for a cookie and drop it from the address bar (and from history and bookmarks).
                guard().SetCookie(context.Response);
                return Results.Redirect("/");
            }
            return Asset("index.html", "text/html; charset=utf-8");
        });
        app.MapGet("/app.js", () => Asset("app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => Asset("app.css", "text/css; charset=utf-8"));

        app.MapGet("/api/overview", () => Results.Json(model.Overview(), ReviewServer.Json));
        app.MapGet("/api/images", () => Results.Json(model.Paths, ReviewServer.Json));
        app.MapGet("/api/clusters/{cluster:int}", (int cluster) =>
            model.Cluster(cluster) is { } view ? Results.Json(view, ReviewServer.Json) : Results.NotFound($"there is no cluster {cluster}"));
        app.MapGet("/api/images/{image:int}/similar", (int image, int? count) =>
            Valid(model, image) ? Guarded(() => Results.Json(model.Similar(image, Math.Clamp(count ?? 24, 1, 200)), ReviewServer.Json)) : NoImage(image));

        app.MapGet("/api/thumb/{image:int}", (int image, HttpContext context) => Thumb(model.FullPath(image), context, thumbnails));
        app.MapGet("/api/thumb", (string? path, HttpContext context) =>
        {
            if (path is null) return Task.FromResult(Results.BadRequest("give ?path=IMAGE (relative to the input folder)"));
            return model.NumberOf(path, out string error) is int n ? Thumb(model.FullPath(n), context, thumbnails) : Task.FromResult(Results.BadRequest(error));
        });

        app.MapPost("/api/clusters/{cluster:int}/verdict", (int cluster, VerdictBody body) =>
            Decide(model, _ => new ClusterVerdict([cluster], body.Verdict)));
        app.MapPost("/api/clusters/{cluster:int}/rename", (int cluster, RenameBody body) =>
            Decide(model, _ => new RenameCluster(cluster, body.Name ?? "")));
        app.MapPost("/api/clusters/{cluster:int}/merge", (int cluster, MergeBody body) =>
            Decide(model, _ => new MergeClusters(cluster, body.From ?? [])));
        app.MapPost("/api/clusters/{cluster:int}/split", (int cluster) => Decide(model, s => s.PlanSplit(cluster)));
        app.MapPost("/api/images/move", (MoveBody body) =>
            Decide(model, _ => new MoveImages(Paths(model, body.Images), body.To)));
        app.MapPost("/api/images/verdict", (ImagesVerdictBody body) =>
            Decide(model, _ => new ImageVerdict(Paths(model, body.Images), body.Verdict)));
        app.MapPost("/api/examples", (ExamplesBody body) => Decide(model, _ => new MarkExamples(Optional(model, body.Like), Optional(model, body.Unlike),
            body.Unmark is { Length: > 0 } ? Optional(model, body.Unmark) : null)));
        app.MapPost("/api/proposals/accept", (AcceptBody body) => Guarded(() =>
        {
            if (!ProposalOptions.IsConfidence(body.MinConfidence))
                throw new ImageClusterException($"the smallest confidence to accept is from 0.5 to 1, not {body.MinConfidence.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            return Results.Json(model.AcceptProposals(body.MinConfidence, body.Discards), ReviewServer.Json);
        }));
        app.MapPost("/api/images/discard-undecided", () => Decide(model, s =>
            s.State.DiscardUndecided() ?? throw new ImageClusterException("no image is undecided: nothing to discard")));
        app.MapGet("/api/search", (string? q) => Guarded(() => Results.Json(model.Search(q ?? ""), ReviewServer.Json)));
        app.MapGet("/api/map/colours", () => Guarded(() => Results.Json(model.Colours(), ReviewServer.Json)));
        app.MapGet("/api/map", () => Guarded(() => Results.Json(model.Map(), ReviewServer.Json)));
        app.MapGet("/api/duplicates", () => Guarded(() => Results.Json(model.Duplicates(), ReviewServer.Json)));
        app.MapGet("/api/issues", () => Guarded(() => Results.Json(model.Issues(), ReviewServer.Json)));
        app.MapPost("/api/duplicates/discard", () =>
            Decide(model, s => s.PlanDiscardDuplicates().Decision ?? throw new ImageClusterException("the duplicates name no image of this run to discard")));
        app.MapPost("/api/issues/discard", (IssuesBody body) =>
            Decide(model, s => s.PlanDiscardIssues(body.Issues ?? []).Decision ?? throw new ImageClusterException("no image of this run has those issues")));
        app.MapPost("/api/undo", () => Results.Json(model.Undo(redo: false), ReviewServer.Json));
        app.MapPost("/api/redo", () => Results.Json(model.Undo(redo: true), ReviewServer.Json));
        app.MapPost("/api/export", (ExportBody body) => Guarded(() =>
        {
            string to = ExportFolder(body.To, model.InputFolder, model.RunFolder);
            var result = model.Export(new ExportOptions { Run = model.RunFolder, To = to, Mode = body.Mode, What = body.What, OnCollision = body.OnCollision });
            return Results.Json(result, ReviewServer.Json);
        }));
    }

    /// <summary>
    /// The export folder must be written out in full: the page has no working folder to be relative to, and <c>..</c>
    /// is refused so that what the page shows is where the files go.
    /// </summary>
    private static string ExportFolder(string? to, string input, string runFolder)
    {
        if (string.IsNullOrWhiteSpace(to) || to.Contains('\0')) throw new ImageClusterException("give the export folder as a full path, e.g. /home/me/kept");
        if (!Path.IsPathRooted(to)) throw new ImageClusterException($"{to} is not a full path; give the export folder as e.g. /home/me/kept");
        if (to.Replace('\\', '/').Split('/').Contains("..")) throw new ImageClusterException($"{to} contains '..'; give the export folder without it");
        string full = Path.GetFullPath(to), root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(input));
        if (full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ImageClusterException($"{to} is inside the input folder {root}; export somewhere else so the originals stay as they are");
        string run = Path.TrimEndingDirectorySeparator(Path.GetFullPath(runFolder));
        if (full == run || full.StartsWith(run + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ImageClusterException($"{to} is inside the run folder {run}; export somewhere else so the run stays as it is");
        return full;
    }

    private static string[] Paths(ReviewModel model, int[]? images)
    {
        if (images is null || images.Length == 0) throw new ImageClusterException("give at least one image");
        return [.. images.Select(i => Valid(model, i) ? model.Paths[i] : throw new ImageClusterException($"there is no image {i}"))];
    }

    private static string[] Optional(ReviewModel model, int[]? images) => images is { Length: > 0 } ? Paths(model, images) : [];

    private static bool Valid(ReviewModel model, int image) => image >= 0 && image < model.Paths.Length;

    private static IResult NoImage(int image) => Results.NotFound($"there is no image {image}");

    private static IResult Decide(ReviewModel model, Func<ReviewSession, Decision> decide) =>
        Guarded(() => Results.Json(model.Record(decide), ReviewServer.Json));

    // A decision that does not fit, or a bad export, is the user's to fix: one line, never a stack trace.
    private static IResult Guarded(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (ExportException e)
        {
            return Results.Json(new { error = e.Message }, ReviewServer.Json, statusCode: StatusCodes.Status500InternalServerError);
        }
        catch (Exception e) when (e is ImageClusterException or ArgumentException)
        {
            // The page shows the sentence, not .NET's "(Parameter 'To')" suffix.
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
            return Results.Json(new { error = message }, ReviewServer.Json, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<IResult> Thumb(string? fullPath, HttpContext context, Thumbnails thumbnails)
    {
        if (fullPath is null) return Results.NotFound("no such image, or it now leads outside the input folder");
        try
        {
            string etag = Thumbnails.ETag(fullPath);
            context.Response.Headers.CacheControl = "private, max-age=86400";
            context.Response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch == etag) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(await thumbnails.GetAsync(fullPath, context.RequestAborted), "image/jpeg");
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
    }

    private static IResult Asset(string name, string contentType)
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ImageCluster.Web.wwwroot." + name)
                     ?? throw new InvalidOperationException($"{name} is not embedded in {typeof(ReviewEndpoints).Assembly.GetName().Name}");
        return Results.Stream(stream, contentType);
    }
}
