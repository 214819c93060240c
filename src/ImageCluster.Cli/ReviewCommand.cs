using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Pipeline;
using ImageCluster.Web;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster review RUN</c>: serves the review page of a run on 127.0.0.1 until Ctrl+C.</summary>
internal static class ReviewCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var run = new Argument<string>("run") { Description = "Run folder written by 'imagecluster cluster'" };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 0 };
        var open = new Option<bool>("--open") { Description = "Open the page in the default browser" };
        var json = new Option<bool>("--json") { Description = "Print the address as JSON (url, port, run)" };
        var command = new Command("review", "Review a run in the browser: keep, discard, rename, merge, split, move, find similar, undo, export. " +
                                            "Serves on 127.0.0.1 only, with a new secret token in the printed URL at every start")
        {
            run, port, open, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var server = await ReviewServer.StartAsync(parse.GetValue(run)!, parse.GetValue(port));
            if (parse.GetValue(json))
                stdout.WriteLine(JsonSerializer.Serialize(new { url = server.Url.ToString(), port = server.Port, run = Path.GetFullPath(parse.GetValue(run)!) }, RunFolder.Json));
            else
            {
                stdout.WriteLine($"review page: {server.Url}");
                stdout.WriteLine("(the address holds this start's token: share it with no one; Ctrl+C stops the server)");
            }
            stdout.Flush();
            if (parse.GetValue(open)) OpenBrowser(server.Url, stderr);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C is how a review ends: every decision is already in the store.
            }
            return Cli.Success;
        });
        return command;
    }

    private static void OpenBrowser(Uri url, TextWriter stderr)
    {
        try
        {
            using var _ = OperatingSystem.IsWindows() ? Process.Start(new ProcessStartInfo(url.ToString()) { UseShellExecute = true })
                : Process.Start(OperatingSystem.IsMacOS() ? "open" : "xdg-open", url.ToString());
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            stderr.WriteLine($"could not open a browser ({e.Message}); open the address above yourself");
        }
    }
}
