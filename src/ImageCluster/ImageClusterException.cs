namespace ImageCluster;

/// <summary>
/// A problem with what the caller gave or with the environment, which the caller can fix: a missing folder, a damaged
/// model file, a folder that is not a run folder. Its message is one line that names the file or setting and the cause,
/// in the library's terms (no command-line flags). Invalid option values are <see cref="ArgumentException"/>s instead,
/// whose <see cref="ArgumentException.ParamName"/> is the option's property name.
/// </summary>
public class ImageClusterException : Exception
{
    /// <summary>A problem described by <paramref name="message"/>.</summary>
    public ImageClusterException(string message) : base(message) { }

    /// <summary>A problem described by <paramref name="message"/>, caused by <paramref name="innerException"/> (if any).</summary>
    public ImageClusterException(string message, Exception? innerException) : base(message, innerException) { }
}
