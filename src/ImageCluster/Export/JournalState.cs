namespace ImageCluster.Export;

/// <summary>A journal read back: the options, the plan, and how far each file got.</summary>
internal sealed class JournalState
{
    public required JournalRecord Begin { get; init; }

    public required List<JournalRecord> Plan { get; init; }

    public Dictionary<int, JournalRecord> Intents { get; } = [];

    public Dictionary<int, string> Done { get; } = [];

    public HashSet<string> Folders { get; } = new(StringComparer.Ordinal);

    public List<string> FolderOrder { get; } = [];

    public string? ManifestSha { get; set; }

    public bool UndoStarted { get; set; }

    public bool UndoFinished { get; set; }

    public HashSet<int> Undone { get; } = [];

    /// <summary>manifest.csv of the files done, in plan order (deterministic, so a resume or an undo can recognise it).</summary>
    public string ManifestText()
    {
        var text = new System.Text.StringBuilder("source,destination,cluster,decision,sha256\n");
        foreach (var item in Plan.Where(p => Done.ContainsKey(p.Seq!.Value)))
            text.Append(string.Join(",", Csv.Escape(item.Source!), Csv.Escape(System.IO.Path.GetRelativePath(Begin.To!, item.Destination!).Replace('\\', '/')),
                item.Cluster!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), item.Decision, Done[item.Seq!.Value])).Append('\n');
        return text.ToString();
    }

    public static JournalState Load(string path)
    {
        var records = ExportJournal.Read(path);
        var state = new JournalState { Begin = records[0], Plan = records.Where(r => r.Type == "plan").OrderBy(r => r.Seq).ToList() };
        if (state.Plan.Count != state.Begin.Items)
            throw new ImageClusterException($"{path} lists {state.Plan.Count} files but its begin record says {state.Begin.Items}; the journal is damaged");
        foreach (var r in records)
        {
            switch (r.Type)
            {
                case "intent": state.Intents[r.Seq!.Value] = r; break;
                case "done": state.Done[r.Seq!.Value] = r.Sha256!; break;
                case "mkdir":
                    if (state.Folders.Add(r.Path!)) state.FolderOrder.Add(r.Path!);
                    break;
                case "manifest": state.ManifestSha = r.Sha256; break;
                case "undo-begin": state.UndoStarted = true; break;
                case "undo-end": state.UndoFinished = true; break;
                case "undone": state.Undone.Add(r.Seq ?? -1); break;
            }
        }
        return state;
    }
}
