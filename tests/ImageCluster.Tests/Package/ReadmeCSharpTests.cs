using System.Text.RegularExpressions;

namespace ImageCluster.Tests;

/// <summary>
/// The README's "Use from C#" blocks are the library's front door: each is compiled as its own console program against the
/// packed ImageCluster.Core (not the project: what a NuGet user gets) and run from the repository root on the sample.
/// </summary>
[Collection(nameof(PackagingCollection))]
public class ReadmeCSharpTests
{
    private static List<string> Blocks()
    {
        string readme = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        int start = readme.IndexOf("\n### Use from C#\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no '### Use from C#' section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal) is var e and >= 0 ? e : readme.Length;
        int nextSection = readme.IndexOf("\n### ", start + 1, StringComparison.Ordinal) is var s and >= 0 ? s : readme.Length;
        string section = readme[start..Math.Min(end, nextSection)];
        return [.. Regex.Matches(section, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value)];
    }

    [Fact]
    public void The_first_block_is_short_and_reads_no_run_files()
    {
        var blocks = Blocks();
        Assert.True(blocks.Count >= 3, $"{blocks.Count} C# blocks");
        var lines = blocks[0].Split('\n').Where(l => l.Trim().Length > 0).ToList();
        Assert.True(lines.Count <= 15, $"the first block has {lines.Count} non-blank lines");
        foreach (var file in new[] { "assignments.csv", "run.json", "File.", "ReadAll" })
            Assert.DoesNotContain(file, blocks[0]);
    }

    [Fact]
    public async Task Every_block_compiles_against_the_packed_library_and_runs_on_the_sample()
    {
        var blocks = Blocks();
        using var temp = new TempFolder();
        // A version no earlier pack can have left in the global packages folder, so the restore takes this build.
        string version = $"0.1.0-readme.{DateTime.UtcNow:yyyyMMddHHmmss}";
        var pack = await ChildProcess.Dotnet(SharedData.RepoRoot, "pack", Path.Combine(SharedData.RepoRoot, "src", "ImageCluster", "ImageCluster.csproj"),
            "-c", "Release", $"-p:Version={version}", "-o", temp.Combine("packages"));
        Assert.True(pack.ExitCode == 0, pack.Output);
        // Two local sources only, so no network is needed: the packed library, and the global packages folder the
        // repository's own restore filled with its dependencies (a folder feed NuGet reads like any other).
        string global = await GlobalPackagesFolder();
        File.WriteAllText(temp.Combine("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear />
              <add key="local" value="{temp.Combine("packages")}" />
              <add key="global-packages" value="{global}" />
            </packageSources></configuration>
            """);
        try
        {
            var outputs = new List<string>();
            for (int b = 0; b < blocks.Count; b++)
            {
                string project = temp.Combine($"block{b + 1}");
                Directory.CreateDirectory(project);
                File.WriteAllText(Path.Combine(project, "Program.cs"), blocks[b]);
                File.WriteAllText(Path.Combine(project, $"block{b + 1}.csproj"), $"""
                    <Project Sdk="Microsoft.NET.Sdk">
                      <PropertyGroup>
                        <OutputType>Exe</OutputType>
                        <TargetFramework>net10.0</TargetFramework>
                        <ImplicitUsings>enable</ImplicitUsings>
                        <Nullable>enable</Nullable>
                        <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                      </PropertyGroup>
                      <ItemGroup><PackageReference Include="ImageCluster.Core" Version="{version}" /></ItemGroup>
                    </Project>
                    """);
                var build = await ChildProcess.Dotnet(project, "build", "-c", "Release", "--configfile", temp.Combine("nuget.config"), "-o", Path.Combine(project, "out"));
                Assert.True(build.ExitCode == 0, $"block {b + 1} does not build:\n{blocks[b]}\n{build.Output}");
                // Run from the repository root, as the README's paths are; a private cache so the shared store starts empty.
                var run = await ChildProcess.Run("dotnet", [Path.Combine(project, "out", $"block{b + 1}.dll")], SharedData.RepoRoot,
                    new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = temp.Combine("cache"), [Embedding.ModelResolver.ModelsVariable] = null });
                Assert.True(run.ExitCode == 0, $"block {b + 1} failed:\n{blocks[b]}\n{run.Output}");
                outputs.Add(run.Output);
            }

            // Block 1 prints every usable image of the sample with its cluster (6 clusters), and names the 3 broken files.
            var labelled = outputs[0].Split('\n').Select(l => Regex.Match(l, @"^(.+\.\w+)\t(-?\d+)$")).Where(m => m.Success).ToList();
            Assert.Equal(65, labelled.Count);
            Assert.Equal(65, labelled.Select(m => m.Groups[1].Value).Distinct().Count());
            Assert.Equal(6, labelled.Select(m => m.Groups[2].Value).Distinct().Count());
            Assert.All(labelled, m => Assert.True(File.Exists(Path.Combine(SharedData.Sample, m.Groups[1].Value)), m.Value));
            Assert.Equal(3, Regex.Matches(outputs[0], "^skipped broken_", RegexOptions.Multiline).Count);
            // Block 2 compares three estimators.
            Assert.Equal(3, Regex.Matches(outputs[1], @"^\w[\w-]*: \d+ clusters, \d+ noise, silhouette -?\d\.\d{3}$", RegexOptions.Multiline).Count);
            // Block 3 is the whole job, with the images in memory.
            Assert.Contains("65 images in 6 clusters", outputs[2]);
        }
        finally
        {
            // The unique version would otherwise stay in the global packages folder after every run.
            string cached = Path.Combine(global, "imagecluster.core", version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }

    private static async Task<string> GlobalPackagesFolder()
    {
        var locals = await ChildProcess.Dotnet(SharedData.RepoRoot, "nuget", "locals", "global-packages", "--list");
        Assert.True(locals.ExitCode == 0, locals.Output);
        // "global-packages: /root/.nuget/packages/"
        return locals.Output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("global-packages:", StringComparison.Ordinal))["global-packages:".Length..].Trim();
    }
}
