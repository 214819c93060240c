namespace ImageCluster.Bench;

/// <summary>The benches' flags: <c>--name value</c> pairs anywhere in the arguments.</summary>
internal static class BenchArgs
{
    /// <summary>The value after <paramref name="name"/>, or <paramref name="fallback"/> when the flag is absent or last.</summary>
    public static string Value(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
