namespace ImageCluster.Export;

/// <summary>
/// elcorto/imagecluster's result layout: <c>clusters/cluster_with_N/cluster_i/</c>, one folder per cluster grouped by
/// size N, holding symlinks to (or copies of) the originals. Originals are only ever read.
/// </summary>
public static class ClusterFolders
{
    /// <summary>Folder name inside a run folder.</summary>
    public const string FolderName = "clusters";

    /// <summary>
    /// Replaces <c>clusters/</c> under <paramref name="runFolder"/>. Noise (label −1) goes to <c>noise/</c>.
    /// Within each size group clusters are numbered from 0 in order of their label.
    /// </summary>
    /// <returns>Relative folder of each label.</returns>
    public static IReadOnlyDictionary<int, string> Write(string runFolder, string inputRoot, IReadOnlyList<string> paths, IReadOnlyList<int> labels, bool copy)
    {
        string final = Path.Combine(runFolder, FolderName);
        string staging = final + ".new-" + Environment.ProcessId;
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);

        var members = labels.Select((label, i) => (label, i)).GroupBy(x => x.label).ToDictionary(g => g.Key, g => g.Select(x => x.i).ToList());
        var folders = new Dictionary<int, string>();
        foreach (var bySize in members.Where(m => m.Key >= 0).GroupBy(m => m.Value.Count).OrderBy(g => g.Key))
        {
            int n = 0;
            foreach (var cluster in bySize.OrderBy(m => m.Key))
                folders[cluster.Key] = $"cluster_with_{bySize.Key}/cluster_{n++}";
        }
        if (members.ContainsKey(-1)) folders[-1] = "noise";

        foreach (var (label, indices) in members)
        {
            string dir = Path.Combine(staging, folders[label]);
            Directory.CreateDirectory(dir);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (int i in indices)
            {
                string source = Path.GetFullPath(Path.Combine(inputRoot, paths[i]));
                string name = Path.GetFileName(paths[i]);
                // Same file name from two subfolders: spell out the relative path so nothing is hidden.
                if (!taken.Add(name))
                {
                    name = paths[i].Replace("/", "__");
                    taken.Add(name);
                }
                string target = Path.Combine(dir, name);
                if (copy) File.Copy(source, target);
                else File.CreateSymbolicLink(target, source);
            }
        }

        if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // holds only our links/copies
        Directory.Move(staging, final);
        return folders;
    }
}
