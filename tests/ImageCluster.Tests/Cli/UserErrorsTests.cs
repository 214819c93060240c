using ImageCluster.Cli;

namespace ImageCluster.Tests;

/// <summary>The library names properties, the CLI puts its flags back: in the sentence only, never inside a path.</summary>
public class UserErrorsTests
{
    [Theory]
    [InlineData("Output /data/Output/run already holds files", "Output", "--out /data/Output/run already holds files")]
    [InlineData("Positive names a class of the labels: give Labels too", "Positive", "--positive names a class of the labels: give --labels too")]
    [InlineData("KMax must be at least KMin 3 (got 2)", "KMax", "--k-max must be at least --k-min 3 (got 2)")]
    [InlineData("give Assignments (a CSV file) or Run (a run folder), not both", "Assignments", "give --assignments (a CSV file) or --run (a run folder), not both")]
    [InlineData("Layer needs a neural network; /models/Model.onnx has no layers", "Layer", "--layer needs a neural network; /models/Model.onnx has no layers")]
    [InlineData("BatchSize must be between 1 and 1024 (got 0).", "BatchSize", "--batch-size must be between 1 and 1024 (got 0)")]
    public void Property_names_in_the_sentence_become_flags(string message, string parameter, string expected) =>
        Assert.Equal(expected, UserErrors.Describe(new ArgumentException(message, parameter)));

    [Fact]
    public void An_error_naming_no_known_option_is_left_to_the_generic_handler() =>
        Assert.Null(UserErrors.Describe(new ArgumentException("boom", "somethingInternal")));
}
