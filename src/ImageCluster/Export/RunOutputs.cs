using ImageCluster.Embedding;

namespace ImageCluster.Export;

/// <summary>The machine-readable files of a run: assignments, errors and feature matrices.</summary>
internal static class RunOutputs
{
    /// <summary>Writes <c>path,cluster,distance</c> (distance to the cluster centre in the clustered space).</summary>
    public static void WriteAssignments(string file, IReadOnlyList<string> paths, IReadOnlyList<int> labels, IReadOnlyList<float>? distances)
    {
        Csv.WriteAtomically(file, w =>
        {
            w.WriteLine(distances is null ? "path,cluster" : "path,cluster,distance");
            for (int i = 0; i < paths.Count; i++)
            {
                w.Write(Csv.Escape(paths[i]));
                w.Write(',');
                w.Write(labels[i]);
                if (distances is not null)
                {
                    w.Write(',');
                    w.Write(Csv.Format(distances[i]));
                }
                w.WriteLine();
            }
        });
    }

    /// <summary>Writes <c>path,error</c>.</summary>
    public static void WriteErrors(string file, IReadOnlyList<FileError> errors)
    {
        Csv.WriteAtomically(file, w =>
        {
            w.WriteLine("path,error");
            foreach (var e in errors) w.WriteLine($"{Csv.Escape(e.Path)},{Csv.Escape(e.Error)}");
        });
    }

    /// <summary>Writes <c>path,f0,f1,…</c> (or another <paramref name="columnPrefix"/> before the column number), one row per image.</summary>
    public static void WriteFeatures(string file, IReadOnlyList<string> paths, FeatureMatrix features, string columnPrefix = "f")
    {
        Csv.WriteAtomically(file, w =>
        {
            w.Write("path");
            for (int j = 0; j < features.Columns; j++) w.Write($",{Csv.Escape(columnPrefix + j)}");
            w.WriteLine();
            for (int i = 0; i < features.Rows; i++)
            {
                w.Write(Csv.Escape(paths[i]));
                foreach (float v in features.ReadRow(i))
                {
                    w.Write(',');
                    w.Write(Csv.Format(v));
                }
                w.WriteLine();
            }
        });
    }
}
