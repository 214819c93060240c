namespace ImageCluster.Export;

/// <summary>
/// elcorto/imagecluster's result layout: <c>clusters/cluster_with_N/cluster_L/</c>, one folder per cluster grouped by
/// size N, holding symlinks to (or copies of) the originals. L is the cluster's label, the same number as in
/// assignments.csv, run.json, <c>select</c>, the review page and the report. Originals are only ever read.
/// </summary>
internal static class ClusterFolders
{
    /// <summary>Folder name inside a run folder.</summary>
    public const string FolderName = "clusters";

    /// <summary>List of the entries written, so a later run knows which files it may delete.</summary>
    public const string ManifestName = ".imagecluster-manifest";

    /// <summary>
    /// Replaces <c>clusters/</c> under <paramref name="runFolder"/>. Noise (label −1) goes to <c>noise/</c>.
    /// Each cluster's folder carries its label (<c>cluster_with_6/cluster_5</c>). A folder of links that already
    /// matches is left as it is, so an identical rerun does not rewrite thousands of links.
    /// </summary>
    /// <returns>Relative folder of each label.</returns>
    public static IReadOnlyDictionary<int, string> Write(string runFolder, string inputRoot, IReadOnlyList<string> paths, IReadOnlyList<int> labels, bool copy)
    {
        var (folders, entries) = Plan(inputRoot, paths, labels);
        string final = Path.Combine(runFolder, FolderName);
        if (!copy && HoldsExactly(final, entries)) return folders;
        RequireOurs(final);

        string staging = final + ".new-" + Environment.ProcessId;
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        foreach (var dir in folders.Values) Directory.CreateDirectory(Path.Combine(staging, dir));
        foreach (var (link, source) in entries)
        {
            string target = Path.Combine(staging, link);
            if (copy) File.Copy(source, target);
            else File.CreateSymbolicLink(target, source);
        }
        File.WriteAllLines(Path.Combine(staging, ManifestName), entries.Keys.Order(StringComparer.Ordinal));

        if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // checked by RequireOurs
        Directory.Move(staging, final);
        return folders;
    }

    /// <summary>The folder of cluster <paramref name="label"/> of <paramref name="size"/> images, relative to <c>clusters/</c>.</summary>
    internal static string FolderOf(int label, int size) => label < 0 ? "noise" : $"cluster_with_{size}/cluster_{label}";

    private static (Dictionary<int, string> Folders, Dictionary<string, string> Entries) Plan(string inputRoot, IReadOnlyList<string> paths, IReadOnlyList<int> labels)
    {
        var members = labels.Select((label, i) => (label, i)).GroupBy(x => x.label).ToDictionary(g => g.Key, g => g.Select(x => x.i).ToList());
        var folders = new Dictionary<int, string>();
        foreach (var (label, indices) in members) folders[label] = FolderOf(label, indices.Count);

        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (label, indices) in members)
        {
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (int i in indices)
            {
                // Same name from two subfolders (or differing only in case): spell out the relative path, then
                // number it, so no image is hidden behind another.
                string name = Path.GetFileName(paths[i]);
                string flat = paths[i].Replace("/", "__");
                if (taken.Contains(name)) name = flat;
                for (int n = 2; taken.Contains(name); n++)
                    name = $"{Path.GetFileNameWithoutExtension(flat)}_{n}{Path.GetExtension(flat)}";
                taken.Add(name);
                entries[Path.Combine(folders[label], name)] = Path.GetFullPath(Path.Combine(inputRoot, paths[i]));
            }
        }
        return (folders, entries);
    }

    /// <summary>
    /// Refuses to replace a <c>clusters/</c> folder that holds anything this tool did not write: a real file must be
    /// named in the manifest; symlinks are always ours to remove (deleting a link never touches its target).
    /// </summary>
    internal static void RequireOurs(string folder)
    {
        if (!Directory.Exists(folder) && !File.Exists(folder)) return;
        if (new DirectoryInfo(folder).LinkTarget is not null || File.Exists(folder))
            throw new ImageClusterException($"{folder} is not a folder written by ImageCluster; move it away or write the run to another folder");
        string manifestPath = Path.Combine(folder, ManifestName);
        var listed = File.Exists(manifestPath)
            ? new HashSet<string>(File.ReadAllLines(manifestPath), StringComparer.Ordinal)
            : [];
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(folder, file);
            if (relative == ManifestName || new FileInfo(file).LinkTarget is not null || listed.Contains(relative)) continue;
            throw new ImageClusterException($"{folder} holds {relative}, which ImageCluster did not write; move it away or write the run to another folder");
        }
    }

    private static bool HoldsExactly(string folder, Dictionary<string, string> entries)
    {
        if (!Directory.Exists(folder)) return false;
        int count = 0;
        foreach (var file in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(file);
            if (info.Attributes.HasFlag(FileAttributes.Directory) && info.LinkTarget is null) continue;
            if (Path.GetFileName(file) == ManifestName) continue;
            if (!entries.TryGetValue(Path.GetRelativePath(folder, file), out var source) || info.LinkTarget != source) return false;
            count++;
        }
        return count == entries.Count;
    }
}
