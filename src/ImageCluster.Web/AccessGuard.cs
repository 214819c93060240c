using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace ImageCluster.Web;

/// <summary>
/// Who may use the review server: whoever holds this start's random token (from the printed URL, then a cookie, or a header
/// for scripts). Every request must name this server as its Host (a DNS-rebinding page names its own), and a request that
/// changes anything must also come from the page itself (Origin = this server), so another site open in the same browser
/// can neither read nor write even though the browser would send the cookie along.
/// </summary>
internal sealed class AccessGuard(int port)
{
    /// <summary>Header a script may send instead of the cookie.</summary>
    public const string TokenHeader = "X-Review-Token";

    private readonly byte[] _token = RandomNumberGenerator.GetBytes(32);

    /// <summary>The token as it appears in the URL.</summary>
    public string Token => Base64Url.EncodeToString(_token);

    /// <summary>Per port: cookies are shared by every port of a host, and two reviews may run side by side.</summary>
    public string CookieName => $"imagecluster-review-{port}";

    private string[] Hosts => [$"127.0.0.1:{port}", $"localhost:{port}"];

    public bool Matches(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate) || candidate.Length > 100) return false;
        byte[] given;
        try
        {
            given = Base64Url.DecodeFromChars(candidate);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(given, _token);
    }

    /// <summary>Returns null when the request may go on, else the status code and the one line that says why.</summary>
    public (int Status, string Message)? Check(HttpContext context)
    {
        var request = context.Request;
        if (!Hosts.Contains(request.Host.Value, StringComparer.OrdinalIgnoreCase))
            return (StatusCodes.Status400BadRequest, $"this server answers only to http://127.0.0.1:{port}/");
        string? presented = request.Headers[TokenHeader].FirstOrDefault() ?? request.Cookies[CookieName]
            ?? (request.Path == "/" ? request.Query["token"].FirstOrDefault() : null);
        if (!Matches(presented))
            return (StatusCodes.Status401Unauthorized, "missing or wrong token: open the URL that 'imagecluster review' printed (a new start has a new token)");
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            string? origin = request.Headers.Origin.FirstOrDefault();
            if (origin is null || !Hosts.Any(h => string.Equals(origin, "http://" + h, StringComparison.OrdinalIgnoreCase)))
                return (StatusCodes.Status403Forbidden, $"changes are accepted only from the review page itself (Origin {origin ?? "missing"})");
        }
        return null;
    }

    /// <summary>The cookie that carries the token after the first page load; never readable by scripts or sent cross-site.</summary>
    public void SetCookie(HttpResponse response) => response.Cookies.Append(CookieName, Token, new CookieOptions
    {
        HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true,
    });
}
