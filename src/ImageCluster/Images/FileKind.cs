using System.Runtime.InteropServices;

namespace ImageCluster.Images;

/// <summary>
/// What kind of file a path is, from <c>stat</c> (symlinks followed), so that FIFOs, sockets and devices are never opened:
/// opening a FIFO blocks until a writer comes, and a device such as <c>/dev/zero</c> never ends. .NET reports them all as
/// ordinary files, hence the P/Invoke. Only Linux (x64, arm64) is checked; elsewhere every file counts as regular.
/// </summary>
internal static partial class FileKind
{
    /// <summary>Null for a regular file (or where the check does not run); else what it is, e.g. "a FIFO".</summary>
    public static string? NotRegular(string path)
    {
        if (!OperatingSystem.IsLinux() || ModeOffset is not int offset) return null;
        Span<byte> buffer = stackalloc byte[256]; // struct stat is 128 (arm64) or 144 (x64) bytes
        int rc;
        try
        {
            rc = Stat(path, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            return null; // glibc before 2.33 exports only __xstat
        }
        if (rc != 0) return null; // gone or unreadable: opening it reports the real error
        uint mode = BitConverter.ToUInt32(buffer.Slice(offset, 4));
        return (mode & 0xF000) switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe)",
            0xC000 => "a socket",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x4000 => "a folder",
            _ => "not a regular file",
        };
    }

    // Offset of st_mode in glibc's struct stat.
    private static readonly int? ModeOffset = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 24,   // st_dev, st_ino, st_nlink (8 bytes each), then st_mode
        Architecture.Arm64 => 16, // st_dev, st_ino, then st_mode (the generic layout)
        _ => null,
    };

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, Span<byte> buffer);
}
