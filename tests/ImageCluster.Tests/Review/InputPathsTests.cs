using ImageCluster.Review;

namespace ImageCluster.Tests;

public class InputPathsTests
{
    private static TempFolder MakeInput(out string input)
    {
        var temp = new TempFolder();
        input = temp.Combine("in");
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        File.WriteAllText(Path.Combine(input, "sub", "a.jpg"), "a");
        File.WriteAllText(temp.Combine("secret.txt"), "s");
        return temp;
    }

    [Theory]
    [InlineData("sub/a.jpg")]
    [InlineData("./sub/a.jpg")]
    [InlineData("sub//a.jpg")]
    public void Paths_inside_the_input_resolve_to_their_relative_form(string path)
    {
        using var temp = MakeInput(out string input);
        Assert.True(InputPaths.TryResolve(input, path, out var resolved, out string error), error);
        Assert.Equal("sub/a.jpg", resolved.Relative);
        Assert.Equal(Path.Combine(input, "sub", "a.jpg"), resolved.Full);
    }

    [Fact]
    public void An_absolute_path_inside_the_input_is_accepted()
    {
        using var temp = MakeInput(out string input);
        Assert.Equal("sub/a.jpg", InputPaths.Resolve(input, Path.Combine(input, "sub", "a.jpg")).Relative);
    }

    [Theory]
    [InlineData("../secret.txt", "contains '..'")]
    [InlineData("sub/../../secret.txt", "contains '..'")]
    [InlineData("sub/../a.jpg", "contains '..'")]
    [InlineData("", "is not a path")]
    [InlineData(".", "names the input folder itself")]
    public void Relative_paths_that_leave_or_name_the_input_are_refused(string path, string message)
    {
        using var temp = MakeInput(out string input);
        Assert.False(InputPaths.TryResolve(input, path, out _, out string error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Absolute_paths_outside_the_input_are_refused_even_when_they_share_its_prefix()
    {
        using var temp = MakeInput(out string input);
        Directory.CreateDirectory(input + "2");
        File.WriteAllText(Path.Combine(input + "2", "b.jpg"), "b");
        var e = Assert.Throws<ImageClusterException>(() => InputPaths.Resolve(input, Path.Combine(input + "2", "b.jpg")));
        Assert.Contains("outside the input folder", e.Message);
        Assert.Throws<ImageClusterException>(() => InputPaths.Resolve(input, "/etc/passwd"));
        Assert.Throws<ImageClusterException>(() => InputPaths.Resolve(input, Path.Combine(input, "..", "secret.txt")));
    }

    [Fact]
    public void Symlinks_that_escape_the_input_are_refused_and_those_that_stay_inside_accepted()
    {
        using var temp = MakeInput(out string input);
        File.CreateSymbolicLink(Path.Combine(input, "out.jpg"), temp.Combine("secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(input, "outdir"), temp.Path);
        File.CreateSymbolicLink(Path.Combine(input, "inside.jpg"), Path.Combine(input, "sub", "a.jpg"));

        Assert.False(InputPaths.TryResolve(input, "out.jpg", out _, out string error));
        Assert.Contains("symlink", error);
        Assert.Contains("secret.txt", error);
        Assert.False(InputPaths.TryResolve(input, "outdir/secret.txt", out _, out _));
        Assert.True(InputPaths.TryResolve(input, "inside.jpg", out _, out _));
    }
}
