namespace ImageCluster.Cli;

/// <summary>
/// A mistake the user can fix (bad option, missing folder, unsafe output folder). The CLI prints the message as one
/// line and exits with the usage-error code; any other exception is a failure of the program.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
