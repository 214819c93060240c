namespace ImageCluster.Bench;

/// <summary>What every bench reads the same way: its <c>--name value</c> flags and where the repository and its CLI are.</summary>
internal static class BenchArgs
{
    /// <summary>The repository the bench was built in (the folder holding ImageCluster.slnx).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ImageCluster.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root");
    }

    /// <summary>The Release build of the CLI in that repository.</summary>
    public static string ReleaseCli() => Path.Combine(RepoRoot(), "src", "ImageCluster.Cli", "bin", "Release", "net10.0", "imagecluster");

    /// <summary>The value after <paramref name="name"/>, or <paramref name="fallback"/> when the flag is absent or last.</summary>
    public static string Value(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
