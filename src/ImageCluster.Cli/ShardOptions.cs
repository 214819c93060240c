using System.CommandLine;
using System.Globalization;
using ImageCluster.Images;

namespace ImageCluster.Cli;

/// <summary>
/// <c>--shard I/N</c>, <c>--shards N</c> and the job engines' environment: which part of a folder one process embeds.
/// A Slurm job array names the task and the count (<c>SLURM_ARRAY_TASK_ID</c>, <c>SLURM_ARRAY_TASK_COUNT</c>, with
/// <c>SLURM_ARRAY_TASK_MIN</c>/<c>_STEP</c> for arrays that do not start at 0); a Kubernetes Indexed Job names only the
/// index (<c>JOB_COMPLETION_INDEX</c>), so the count comes from <c>--shards</c>.
/// </summary>
internal static class ShardOptions
{
    internal static readonly Option<string?> Shard = new("--shard")
    {
        Description = "Embed only part I (zero-based) of N of the folder, chosen by a hash of each file's relative path (e.g. 0/3, 1/3, 2/3). " +
                      "Without it, a Slurm job array's SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (with --shards) choose the part",
    };

    internal static readonly Option<int?> Shards = new("--shards")
    {
        Description = "Number of parts when the index comes from the environment (JOB_COMPLETION_INDEX of a Kubernetes Indexed Job: the Job's completions)",
    };

    /// <summary>The part this process embeds, or null for the whole folder; <paramref name="source"/> says where it came from.</summary>
    /// <exception cref="UsageException">A malformed or out-of-range shard, or an environment that says too little.</exception>
    internal static Shard? From(ParseResult parse, Func<string, string?> environment, out string? source)
    {
        string? text = parse.GetValue(Shard);
        int? shards = parse.GetValue(Shards);
        if (shards is < 1) throw new UsageException($"--shards {shards}: the number of parts must be at least 1");
        if (text is not null)
        {
            if (shards is not null) throw new UsageException("give either --shard I/N or --shards N (with the index from the environment), not both");
            source = "--shard";
            return Parse(text);
        }
        if (environment("SLURM_ARRAY_TASK_ID") is { Length: > 0 } task)
        {
            int id = Integer(task, "SLURM_ARRAY_TASK_ID");
            int count = environment("SLURM_ARRAY_TASK_COUNT") is { Length: > 0 } c ? Integer(c, "SLURM_ARRAY_TASK_COUNT")
                : throw new UsageException("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (Slurm sets both for a job array); give --shard I/N");
            int min = environment("SLURM_ARRAY_TASK_MIN") is { Length: > 0 } m ? Integer(m, "SLURM_ARRAY_TASK_MIN") : 0;
            int step = environment("SLURM_ARRAY_TASK_STEP") is { Length: > 0 } st ? Integer(st, "SLURM_ARRAY_TASK_STEP") : 1;
            if (shards is not null && shards != count)
                throw new UsageException($"--shards {shards} disagrees with the Slurm job array's SLURM_ARRAY_TASK_COUNT={count}; leave --shards out");
            if (step < 1 || (id - min) % step != 0 || (id - min) / step is < 0 || (id - min) / step >= count)
                throw new UsageException($"SLURM_ARRAY_TASK_ID={id} is not one of the {count} tasks of an array from {min} in steps of {step}: give --shard I/N");
            source = $"SLURM_ARRAY_TASK_ID={id} of {count}";
            return new Shard((id - min) / step, count);
        }
        if (environment("JOB_COMPLETION_INDEX") is { Length: > 0 } index)
        {
            int i = Integer(index, "JOB_COMPLETION_INDEX");
            if (shards is not { } n)
                throw new UsageException($"JOB_COMPLETION_INDEX={i} is set (a Kubernetes Indexed Job) but not the number of parts: add --shards N (the Job's completions)");
            if (i >= n) throw new UsageException($"JOB_COMPLETION_INDEX={i} is not below --shards {n}: the Job's completions and --shards must agree");
            source = $"JOB_COMPLETION_INDEX={i} of --shards {n}";
            return new Shard(i, n);
        }
        if (shards is not null)
            throw new UsageException($"--shards {shards} needs the index from a job array (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX), and neither is set; give --shard I/{shards}");
        source = null;
        return null;
    }

    /// <summary><c>I/N</c>: zero-based index below the count.</summary>
    internal static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                              || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new UsageException($"--shard {text}: expected I/N, the zero-based part and the number of parts, e.g. 0/3");
        if (count < 1) throw new UsageException($"--shard {text}: the number of parts must be at least 1");
        if (index >= count) throw new UsageException($"--shard {text}: the part is zero-based, so for {count} parts it is 0 to {count - 1}");
        return new Shard(index, count);
    }

    private static int Integer(string value, string variable) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n
            : throw new UsageException($"{variable}={value} is not a whole number");
}
