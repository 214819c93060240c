using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ImageCluster.Images;

/// <summary>
/// Part <see cref="Index"/> (zero-based) of <see cref="Count"/> disjoint parts of a folder, for embedding it in several
/// processes or machines. A file belongs to the part its relative path hashes to (SHA-256, so every machine and every .NET
/// version agrees), which means adding files to the folder moves none of the others to another part.
/// </summary>
internal readonly record struct Shard
{
    /// <summary>A shard; <paramref name="index"/> is zero-based and below <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Count below 1 or index outside 0…count-1.</exception>
    public Shard(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a folder is split into at least 1 shard");
        if (index < 0 || index >= count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the shard index is zero-based: 0 to {count - 1} for {count} shards");
        Index = index;
        Count = count;
    }

    /// <summary>Zero-based part number.</summary>
    public int Index { get; }

    /// <summary>Number of parts.</summary>
    public int Count { get; }

    /// <summary>Whether the file at <paramref name="relativePath"/> ('/'-separated, as the scanner gives it) is in this part.</summary>
    public bool Contains(string relativePath) => Count == 1 || Of(relativePath, Count) == Index;

    /// <summary>The part (of <paramref name="count"/>) that <paramref name="relativePath"/> belongs to.</summary>
    public static int Of(string relativePath, int count)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(relativePath), hash);
        return (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)count);
    }

    /// <summary>Shown as <c>I/N</c>, the form it is given in.</summary>
    public override string ToString() => $"{Index}/{Count}";
}
