using ImageCluster.Images;

namespace ImageCluster.Review;

/// <summary>An image path checked to lie inside a run's input folder.</summary>
/// <param name="Relative">Path relative to the input folder, '/'-separated (the form assignments.csv uses).</param>
/// <param name="Full">Absolute path (as given, symlinks not resolved).</param>
internal sealed record InputPath(string Relative, string Full);

/// <summary>
/// The one check every path from a run, its store or a user (a move of one image, the review page) passes before a file
/// is read, linked or moved: it must name something inside the input folder. <c>..</c> segments are refused rather than
/// normalised (a path that needs them was not written by imagecluster), absolute paths must lie under the input, and the
/// real path after following every symlink must too — a link inside the input that points outside would otherwise let an
/// export or a move reach any file.
/// </summary>
internal static class InputPaths
{
    /// <summary>Checks <paramref name="path"/> (relative to <paramref name="inputRoot"/>, or absolute).</summary>
    /// <param name="inputRoot">The run's input folder.</param>
    /// <param name="path">The path to check.</param>
    /// <param name="resolved">The checked path when the result is true.</param>
    /// <param name="error">Why it was refused (one line naming the path) when the result is false.</param>
    public static bool TryResolve(string inputRoot, string path, out InputPath resolved, out string error)
    {
        resolved = null!;
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(inputRoot));
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0'))
        {
            error = $"'{path}' is not a path";
            return false;
        }
        string relative;
        if (Path.IsPathRooted(path))
        {
            string full = Path.GetFullPath(path);
            if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                error = $"{path} is outside the input folder {root}";
                return false;
            }
            relative = full[(root.Length + 1)..];
            if (path.Replace('\\', '/').Split('/').Contains(".."))
            {
                error = $"{path} contains '..'; give the path inside the input folder {root} without it";
                return false;
            }
        }
        else
        {
            relative = path;
        }
        var segments = relative.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Contains(".."))
        {
            error = $"{path} contains '..'; paths must stay inside the input folder {root}";
            return false;
        }
        segments = segments.Where(s => s != ".").ToArray();
        if (segments.Length == 0)
        {
            error = $"'{path}' names the input folder itself, not a file in it";
            return false;
        }
        string cleanRelative = string.Join('/', segments);
        string fullPath = Path.Combine(root, Path.Combine(segments));
        string realRoot = ImageScanner.RealPath(root);
        string realPath = ImageScanner.RealPath(fullPath);
        if (!realPath.StartsWith(realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            error = $"{path} is a symlink (or lies under one) that leads outside the input folder {root}, to {realPath}";
            return false;
        }
        resolved = new InputPath(cleanRelative, fullPath);
        error = "";
        return true;
    }

    /// <summary>As <see cref="TryResolve"/>, but a refused path is a <see cref="ImageClusterException"/> naming it.</summary>
    public static InputPath Resolve(string inputRoot, string path) =>
        TryResolve(inputRoot, path, out var resolved, out string error) ? resolved : throw new ImageClusterException(error);
}
