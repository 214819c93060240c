namespace ImageCluster.Tests;

/// <summary>A fresh folder under the system temp folder, deleted (links only, never their targets) on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "imagecluster-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Copies files (relative to <paramref name="sourceRoot"/>) into this folder, keeping sub-folders.</summary>
    public void CopyFrom(string sourceRoot, IEnumerable<string> relativePaths, string? into = null)
    {
        foreach (var rel in relativePaths)
        {
            string target = System.IO.Path.Combine(into ?? Path, rel);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(System.IO.Path.Combine(sourceRoot, rel), target);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
