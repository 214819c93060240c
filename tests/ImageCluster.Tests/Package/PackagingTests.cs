using System.IO.Compression;

namespace ImageCluster.Tests;

/// <summary>The three ways to get ImageCluster (README "Install"): the library package, the .NET tool, the single file.</summary>
[Collection(nameof(PackagingCollection))]
public class PackagingTests
{
    private static string Project(string name) => Path.Combine(SharedData.RepoRoot, "src", name, name + ".csproj");

    [Fact]
    public async Task The_library_packs_with_docs_readme_licence_and_source_link_metadata()
    {
        using var temp = new TempFolder();
        var pack = await ChildProcess.Dotnet(SharedData.RepoRoot, "pack", Project("ImageCluster"), "-c", "Release", "-o", temp.Path);
        Assert.True(pack.ExitCode == 0, pack.Output);

        using var package = ZipFile.OpenRead(temp.Combine("ImageCluster.Core.0.1.0.nupkg"));
        var names = package.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/ImageCluster.Core.dll", names);
        Assert.Contains("lib/net10.0/ImageCluster.Core.xml", names);
        Assert.Contains("README.md", names);
        Assert.Contains("LICENSE", names);
        Assert.Contains("THIRD-PARTY-NOTICES.md", names);
        using var nuspec = new StreamReader(package.GetEntry("ImageCluster.Core.nuspec")!.Open());
        string text = await nuspec.ReadToEndAsync();
        Assert.Contains("<license type=\"expression\">MIT</license>", text);
        Assert.Contains("<readme>README.md</readme>", text);
        Assert.Matches("<repository type=\"git\"[^>]* commit=\"[0-9a-f]{40}\"", text);
        Assert.True(File.Exists(temp.Combine("ImageCluster.Core.0.1.0.snupkg")), "no symbols package");
    }

    [Fact]
    public async Task The_tool_installs_from_a_local_folder_and_clusters_the_sample()
    {
        using var temp = new TempFolder();
        // RID cleared: the pointer package plus one package per platform (see the CLI project).
        var pack = await ChildProcess.Dotnet(SharedData.RepoRoot, "pack", Project("ImageCluster.Cli"), "-c", "Release", "-p:RuntimeIdentifier=", "-o", temp.Combine("packages"));
        Assert.True(pack.ExitCode == 0, pack.Output);
        // Only the local folder as a source: the install must not need the network.
        File.WriteAllText(temp.Combine("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{temp.Combine("packages")}" /></packageSources></configuration>
            """);
        var install = await ChildProcess.Dotnet(temp.Path, "tool", "install", "--tool-path", temp.Combine("tools"), "--configfile", temp.Combine("nuget.config"), "ImageCluster.Tool", "--version", "0.1.0");
        Assert.True(install.ExitCode == 0, install.Output);

        var run = await ChildProcess.Run(temp.Combine("tools", "imagecluster"), ["cluster", SharedData.Sample, "--k", "6", "--out", temp.Combine("run")], temp.Path,
            new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = temp.Combine("cache"), [Embedding.ModelResolver.ModelsVariable] = null });
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("clustered 65 images into 6 clusters with kmeans on mobilenetv2_12_int8", run.Output);
        Assert.True(File.Exists(temp.Combine("run", "assignments.csv")));
    }

    [Fact]
    public async Task The_single_file_program_runs_where_no_dotnet_is_installed()
    {
        using var temp = new TempFolder();
        var publish = await ChildProcess.Dotnet(SharedData.RepoRoot, "publish", Project("ImageCluster.Cli"), "-c", "Release", "-r", "linux-x64", "--self-contained",
            "-p:PublishSingleFile=true", "-o", temp.Combine("app"));
        Assert.True(publish.ExitCode == 0, publish.Output);
        Assert.Empty(Directory.GetFiles(temp.Combine("app"), "*.dll")); // no Windows natives, no loose assemblies
        Assert.Empty(Directory.GetFiles(temp.Combine("app"), "*.so"));  // natives are inside the one file

        string program = temp.Combine("app", "imagecluster"), home = temp.Combine("home");
        Directory.CreateDirectory(home);
        string command = $"'{program}' cluster '{SharedData.Sample}' --k 6 --out '{temp.Combine("run")}'";
        // As root, hide the installed .NET (a private mount namespace over its folder); the environment has no DOTNET_ROOT
        // and a PATH without dotnet either way.
        // …/dotnet/shared/Microsoft.NETCore.App/VERSION/ → …/dotnet
        string dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        bool hide = Environment.UserName == "root" && File.Exists("/usr/bin/unshare") && Directory.Exists(dotnetRoot);
        Directory.CreateDirectory(temp.Combine("empty"));
        var run = hide
            ? await ChildProcess.Run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", $"mount --bind '{temp.Combine("empty")}' '{dotnetRoot}' && test ! -e '{dotnetRoot}/dotnet' && exec env -i HOME='{home}' PATH=/nonexistent {command}"], temp.Path)
            : await ChildProcess.Run("/usr/bin/env", ["-i", $"HOME={home}", "PATH=/nonexistent", "/bin/sh", "-c", command], temp.Path);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("clustered 65 images into 6 clusters", run.Output);
    }
}

[CollectionDefinition(nameof(PackagingCollection), DisableParallelization = true)]
public sealed class PackagingCollection;
