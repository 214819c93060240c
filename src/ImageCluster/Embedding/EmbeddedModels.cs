using System.Reflection;

namespace ImageCluster.Embedding;

/// <summary>
/// Models compiled into the library as resources (today the default, <c>mobilenetv2_12_int8</c>), so a fresh machine,
/// a NuGet consumer and a single-file program all get the default without any file beside them.
/// ONNX Runtime and the layer editor read files, so a resource is written once to the user cache (or the temp folder
/// when the cache cannot be written) under its checksum and read from there.
/// </summary>
internal static class EmbeddedModels
{
    private static readonly Lock Gate = new();

    /// <summary>Resource name of a catalogue file compiled into this assembly.</summary>
    private static string ResourceName(ModelDescriptor descriptor) => $"ImageCluster.Embedding.Models.{descriptor.File}";

    /// <summary>Whether <paramref name="descriptor"/>'s file is compiled into the library.</summary>
    public static bool Contains(ModelDescriptor descriptor) =>
        descriptor.Embedded && Assembly.GetExecutingAssembly().GetManifestResourceInfo(ResourceName(descriptor)) is not null;

    /// <summary>A readable file holding the embedded model; written on first use, reused afterwards.</summary>
    /// <exception cref="ModelNotFoundException">The model is not embedded or no folder can hold it.</exception>
    public static string Extract(ModelDescriptor descriptor)
    {
        if (!Contains(descriptor))
            throw new ModelNotFoundException($"model {descriptor.Name} is not built into this build of the library");
        string version = descriptor.Sha256 is { } sha ? sha[..12] : "unversioned";
        IOException? last = null;
        foreach (string root in new[] { ModelResolver.UserCacheFolder, Path.Combine(Path.GetTempPath(), $"imagecluster-models-{Environment.UserName}") })
        {
            string path = Path.Combine(root, "builtin", version, descriptor.File);
            try
            {
                lock (Gate) return WriteOnce(descriptor, path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                last = new IOException($"{path}: {e.Message}", e);
            }
        }
        throw new ModelNotFoundException($"cannot write the built-in model {descriptor.Name} to the user cache or the temp folder ({last?.Message})");
    }

    private static string WriteOnce(ModelDescriptor descriptor, string path)
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName(descriptor))!;
        // A complete earlier copy is recognised by its length; the checksum is checked by the resolver as for any file.
        if (File.Exists(path) && new FileInfo(path).Length == resource.Length) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Another process may extract at the same time: each writes its own temp file and the rename is atomic.
        string temp = $"{path}.tmp-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}";
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                resource.CopyTo(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return path;
    }
}
