using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using ImageCluster.Web;

namespace ImageCluster.Tests;

/// <summary>The review server over plain HTTP: who may read and write, and which paths it refuses.</summary>
public class ReviewServerSecurityTests
{
    internal static HttpClient Client(ReviewServer server, string? token = null, bool sameOrigin = true)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.BaseUrl };
        if (token is not null) client.DefaultRequestHeaders.Add("X-Review-Token", token);
        if (sameOrigin) client.DefaultRequestHeaders.Add("Origin", $"http://127.0.0.1:{server.Port}");
        return client;
    }

    internal static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [SharedFact]
    public async Task Only_this_starts_token_opens_it_and_changes_need_the_pages_own_origin()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        await using var server = await ReviewServer.StartAsync(run);
        await using var other = await ReviewServer.StartAsync(run);
        Assert.NotEqual(server.Token, other.Token);

        using var anonymous = Client(server);
        foreach (var url in new[] { "/", "/app.js", "/api/overview", "/api/images", "/api/thumb/0", "/api/clusters/0" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/?token={other.Token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/overview?token={server.Token}")).StatusCode); // the URL token opens the page only
        using (var stranger = Client(server, other.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/overview")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsync("/api/undo", Body("{}"))).StatusCode);
        }

        // The printed URL trades its token for a cookie scripts cannot read and other sites do not send.
        var first = await anonymous.GetAsync(server.Url);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        string cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/overview");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(withCookie)).StatusCode);

        using var owner = Client(server, server.Token);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/api/overview")).StatusCode);
        var thumb = await owner.GetAsync("/api/thumb/0");
        Assert.Equal("image/jpeg", thumb.Content.Headers.ContentType?.MediaType);
        var again = new HttpRequestMessage(HttpMethod.Get, "/api/thumb/0");
        again.Headers.IfNoneMatch.Add(thumb.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await owner.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync("/api/clusters/0/verdict", Body("""{"verdict":"keep"}"""))).StatusCode);

        using (var foreign = Client(server, server.Token, sameOrigin: false))
        {
            foreign.DefaultRequestHeaders.Add("Origin", "http://evil.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await foreign.PostAsync("/api/clusters/0/verdict", Body("""{"verdict":"discard"}"""))).StatusCode);
        }
        using (var noOrigin = Client(server, server.Token, sameOrigin: false))
            Assert.Equal(HttpStatusCode.Forbidden, (await noOrigin.PostAsync("/api/undo", Body("{}"))).StatusCode);
        // A form post (no JSON) cannot reach a decision either.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType,
            (await owner.PostAsync("/api/clusters/0/verdict", new FormUrlEncodedContent([new("verdict", "discard")]))).StatusCode);

        // DNS rebinding: a page of another name resolved to 127.0.0.1 sends its own Host.
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/overview");
        rebound.Headers.Host = $"attacker.example:{server.Port}";
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.SendAsync(rebound)).StatusCode);

        using var session = Review.ReviewSession.Open(run);
        Assert.Equal(Review.Verdict.Keep, session.State.Clusters.Single(c => c.Cluster == 0).Verdict);
        Assert.Single(session.Status().History);
    }

    [SharedFact]
    public async Task Path_traversal_in_any_path_parameter_is_refused()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp);
        string secret = temp.Combine("secret.png");
        File.Copy(Directory.GetFiles(input, "*", SearchOption.AllDirectories)[0], secret);
        File.CreateSymbolicLink(Path.Combine(input, "escape.png"), secret);
        Directory.CreateSymbolicLink(Path.Combine(input, "outside"), temp.Path);
        await using var server = await ReviewServer.StartAsync(run);
        using var owner = Client(server, server.Token);
        string image = File.ReadAllLines(Path.Combine(run, "assignments.csv"))[1].Split(',')[0];
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/thumb?path={Uri.EscapeDataString(image)}")).StatusCode);

        foreach (var path in new[]
                 {
                     "../secret.png", "..%2Fsecret.png", "%2E%2E%2Fsecret.png", "..%5Csecret.png", $"{image.Split('/')[0]}/../../secret.png",
                     Uri.EscapeDataString(secret), Uri.EscapeDataString(Path.Combine(run, "run.json")), "%2Fetc%2Fpasswd",
                     "escape.png", "outside/secret.png", Uri.EscapeDataString(Path.Combine(input, "..", "secret.png")),
                 })
        {
            var response = await owner.GetAsync($"/api/thumb?path={path}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {response.StatusCode}");
        }
        // Refused by the path check itself, not merely because the file is not an image of the run.
        Assert.Contains("'..'", await (await owner.GetAsync("/api/thumb?path=%2E%2E%2Fsecret.png")).Content.ReadAsStringAsync());
        Assert.Contains("symlink", await (await owner.GetAsync("/api/thumb?path=escape.png")).Content.ReadAsStringAsync());
        Assert.Contains("symlink", await (await owner.GetAsync("/api/thumb?path=outside/secret.png")).Content.ReadAsStringAsync());
        Assert.Contains("outside the input folder", await (await owner.GetAsync($"/api/thumb?path={Uri.EscapeDataString(secret)}")).Content.ReadAsStringAsync());
        foreach (var url in new[] { "/api/thumb/..%2F..%2Fsecret.png", "/api/thumb/-1", "/api/thumb/99999", "/../secret.png", "/%2e%2e/secret.png", "/app.js/../../secret.png" })
        {
            var response = await owner.GetAsync(url);
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{url}: {response.StatusCode}");
            Assert.NotEqual("image/png", response.Content.Headers.ContentType?.MediaType);
        }
        foreach (var to in new[] { "relative/kept", temp.Combine("out", "..", "in", "kept"), Path.Combine(input, "kept"), "", run, Path.Combine(run, "clusters") })
        {
            var response = await owner.PostAsync("/api/export", Body($$"""{"to":{{System.Text.Json.JsonSerializer.Serialize(to)}}}"""));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{to}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Contains("is inside the run folder", await (await owner.PostAsync("/api/export", Body($$"""{"to":{{System.Text.Json.JsonSerializer.Serialize(run)}}}"""))).Content.ReadAsStringAsync());
        Assert.False(Directory.Exists(Path.Combine(input, "kept")));
        Assert.False(Directory.Exists(Path.Combine(run, "exports")));
    }

    [Fact]
    public async Task Review_of_a_folder_that_is_not_a_run_is_a_usage_error()
    {
        using var temp = new TempFolder();
        var result = await CliRunner.RunAsync("review", temp.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {temp.Path} is not a run folder: run.json is missing (cluster a folder into it first)", result.Stderr.Trim());
        Assert.Equal(2, (await CliRunner.RunAsync("review", temp.Path, "--port", "70000")).ExitCode);
    }

    [SharedFact]
    public async Task The_server_is_reachable_on_loopback_only()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        await using var server = await ReviewServer.StartAsync(run);
        var own = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal)
            .ToList();
        Assert.True(own.Count > 0, "this machine has no non-loopback address to try; the test needs one to show the server is not bound to it");
        using (var loopback = new TcpClient())
            await loopback.ConnectAsync(IPAddress.Loopback, server.Port);
        foreach (var address in own)
        {
            using var client = new TcpClient(address.AddressFamily);
            var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(address, server.Port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }
}
