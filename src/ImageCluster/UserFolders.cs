namespace ImageCluster;

/// <summary>Per-user folders (XDG on Linux and macOS, LocalApplicationData on Windows).</summary>
internal static class UserFolders
{
    /// <summary><c>$XDG_CACHE_HOME/imagecluster</c> (default <c>~/.cache/imagecluster</c>): models and the embedding store.</summary>
    public static string Cache => Path.Combine(Base("XDG_CACHE_HOME", ".cache"), "imagecluster");

    /// <summary><c>$XDG_DATA_HOME/imagecluster</c> (default <c>~/.local/share/imagecluster</c>): run folders that have no better place.</summary>
    public static string Data => Path.Combine(Base("XDG_DATA_HOME", Path.Combine(".local", "share")), "imagecluster");

    private static string Base(string variable, string homeRelative)
    {
        string? xdg = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(xdg)) return xdg;
        if (OperatingSystem.IsWindows()) return Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        // No HOME at all (a service account, a bare container): the temp folder is the one place left that is writable.
        return string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), $"imagecluster-{Environment.UserName}") : Path.Combine(home, homeRelative);
    }
}
