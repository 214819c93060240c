using Npgsql;

namespace ImageCluster.Store;

/// <summary>
/// Where the embedding store lives: one content-addressed SQLite file per user, shared by every run folder, so a new run
/// folder over images already seen embeds nothing — or a PostgreSQL server that many machines share.
/// </summary>
internal static class StoreLocation
{
    /// <summary>Environment variable naming another store file or server.</summary>
    public const string Variable = "IMAGECLUSTER_STORE";

    /// <summary>The default store file, <c>~/.cache/imagecluster/store.db</c> (see <see cref="UserFolders.Cache"/>).</summary>
    public static string Default => Path.Combine(UserFolders.Cache, "store.db");

    /// <summary>
    /// The store to use: <paramref name="requested"/>, else <c>$IMAGECLUSTER_STORE</c>, else <see cref="Default"/>; a file made
    /// absolute, a server as given.
    /// </summary>
    public static string Resolve(string? requested = null)
    {
        string? env = Environment.GetEnvironmentVariable(Variable);
        string chosen = !string.IsNullOrWhiteSpace(requested) ? requested : !string.IsNullOrWhiteSpace(env) ? env : Default;
        return IsServer(chosen) ? chosen : Path.GetFullPath(chosen);
    }

    /// <summary>
    /// Whether <paramref name="location"/> names a PostgreSQL server: a <c>postgres(ql)://</c> URL, or a connection string
    /// whose every part is a keyword Npgsql knows and which names a host (so a file such as <c>/data/host=a/store.db</c> stays a file).
    /// </summary>
    public static bool IsServer(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || (location.Contains('=') && !File.Exists(location) && IsConnectionString(location));

    private static bool IsConnectionString(string location)
    {
        try
        {
            return !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(location).Host);
        }
        catch (ArgumentException)
        {
            return false; // a keyword Npgsql does not know: a path with '=' in it
        }
    }

    /// <summary>The location without its password, fit for run.json and messages (the password comes back from PGPASSWORD or ~/.pgpass).</summary>
    public static string Redacted(string location)
    {
        if (!IsServer(location)) return location;
        if (location.Contains("://", StringComparison.Ordinal))
        {
            var uri = new Uri(location);
            if (!uri.UserInfo.Contains(':')) return location;
            string user = uri.UserInfo[..uri.UserInfo.IndexOf(':')];
            return location.Replace(uri.UserInfo + "@", user + "@", StringComparison.Ordinal);
        }
        var builder = new NpgsqlConnectionStringBuilder(location);
        builder.Remove("Password");
        return builder.ConnectionString;
    }

    /// <summary>An Npgsql connection string for a URL (<c>postgresql://USER:PASSWORD@HOST:PORT/DATABASE?host=/socket/dir&amp;sslmode=…</c>) or a connection string.</summary>
    /// <exception cref="ImageClusterException">Neither form.</exception>
    public static NpgsqlConnectionStringBuilder ServerConnection(string location)
    {
        try
        {
            if (!location.Contains("://", StringComparison.Ordinal))
                return new NpgsqlConnectionStringBuilder(location) { Timeout = 10 };
            var uri = new Uri(location);
            var builder = new NpgsqlConnectionStringBuilder { Timeout = 10 };
            if (uri.Host.Length > 0) builder.Host = Uri.UnescapeDataString(uri.Host);
            if (uri.Port > 0) builder.Port = uri.Port;
            if (uri.AbsolutePath.Trim('/') is { Length: > 0 } database) builder.Database = Uri.UnescapeDataString(database);
            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(':', 2);
                builder.Username = Uri.UnescapeDataString(parts[0]);
                if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
            }
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                string key = Uri.UnescapeDataString(kv[0]), value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
                switch (key.ToLowerInvariant())
                {
                    case "host": builder.Host = value; break;
                    case "port": builder.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                    case "user": builder.Username = value; break;
                    case "password": builder.Password = value; break;
                    case "dbname": builder.Database = value; break;
                    case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", ""), ignoreCase: true); break;
                    case "application_name": builder.ApplicationName = value; break;
                    case "connect_timeout": builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"the URL parameter '{key}' is not one this reads (host, port, user, password, dbname, sslmode, application_name, connect_timeout)");
                }
            }
            if (builder.Host is null) builder.Host = "localhost";
            return builder;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or OverflowException)
        {
            throw new ImageClusterException($"the store {SafeShown(location)} is not a PostgreSQL URL or connection string: {e.Message.TrimEnd('.')}");
        }
    }

    // A location that does not parse cannot be redacted either: then only its scheme is shown, never a password.
    private static string SafeShown(string location)
    {
        try
        {
            return Redacted(location);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            return location.Contains("://", StringComparison.Ordinal) ? location[..location.IndexOf("://", StringComparison.Ordinal)] + "://…" : "(a connection string)";
        }
    }
}
