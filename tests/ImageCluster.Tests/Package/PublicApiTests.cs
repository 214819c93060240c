using Mono.Cecil;
using Mono.Cecil.Cil;
using PublicApiGenerator;

namespace ImageCluster.Tests;

/// <summary>
/// The library's public surface is deliberate: a committed snapshot (PublicApiGenerator) changes only on purpose, the type
/// count stays small, nothing of the command line leaks in, and the namespaces depend on each other without cycles.
/// </summary>
public class PublicApiTests
{
    private static readonly System.Reflection.Assembly Library = typeof(FeatureMatrix).Assembly;

    private static string Approved => Path.Combine(SharedData.RepoRoot, "tests", "ImageCluster.Tests", "Package", "ImageCluster.Core.approved.txt");

    [Fact]
    public void The_public_API_matches_the_approved_snapshot()
    {
        string api = Library.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        // An intended change: IMAGECLUSTER_ACCEPT_API=1 rewrites the snapshot, and the diff is reviewed with the commit.
        if (Environment.GetEnvironmentVariable("IMAGECLUSTER_ACCEPT_API") == "1") File.WriteAllText(Approved, api);
        Assert.True(File.Exists(Approved), $"no snapshot at {Approved}; run once with IMAGECLUSTER_ACCEPT_API=1");
        string approved = File.ReadAllText(Approved).ReplaceLineEndings("\n");
        if (approved == api) return;
        var was = approved.Split('\n').ToHashSet();
        var now = api.Split('\n').ToHashSet();
        Assert.Fail("the public API changed (IMAGECLUSTER_ACCEPT_API=1 accepts it):\n" +
                    string.Join("\n", was.Except(now).Take(20).Select(l => "- " + l).Concat(now.Except(was).Take(20).Select(l => "+ " + l))));
    }

    [Fact]
    public void At_most_110_public_types()
    {
        // 100 until the graph algorithms (issue 17): each algorithm is three types (options, clusterer, result), no plumbing.
        var types = Library.GetExportedTypes();
        Assert.True(types.Length <= 110, $"{types.Length} public types (nested included): {string.Join(", ", types.Select(t => t.Name).Order())}");
        Assert.True(types.Length >= 20, "the count is of the wrong assembly");
    }

    [Fact]
    public void No_command_line_wording_in_the_library_sources()
    {
        // The CLI owns every flag name and every message that names a command; the library speaks of its properties.
        var hits = new List<string>();
        var flag = new System.Text.RegularExpressions.Regex(@"(?<![\w-])--[a-z][a-z-]+|'?imagecluster (cluster|embed|report|review|select|export|undo|models|store|diagnose|evaluate|featuremaps)\b|UsageException");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SharedData.RepoRoot, "src", "ImageCluster"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (flag.Match(lines[i]) is { Success: true } m && !lines[i].Contains("style=\\\"--c:"))
                    hits.Add($"{Path.GetRelativePath(SharedData.RepoRoot, file)}:{i + 1}: {m.Value}");
        }
        Assert.True(hits.Count == 0, string.Join("\n", hits));
    }

    [Fact]
    public void The_library_namespaces_depend_on_each_other_without_cycles()
    {
        var graph = NamespaceGraph(Library.Location);
        Assert.True(graph.Count >= 8, $"only {graph.Count} namespaces found");
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(" ↔ ", c) + "\n  " + string.Join("\n  ", c.SelectMany(a => graph[a].Where(e => c.Contains(e.Key))
                .Select(e => $"{a} → {e.Key}: {string.Join(", ", e.Value.Order().Take(40))}"))))));
    }

    [Fact]
    public void The_cycle_check_sees_a_cycle()
    {
        var graph = new Dictionary<string, Dictionary<string, HashSet<string>>>
        {
            ["A"] = new() { ["B"] = ["x"] }, ["B"] = new() { ["C"] = ["y"] }, ["C"] = new() { ["A"] = ["z"] }, ["D"] = new() { ["A"] = ["w"] },
        };
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.Equal(["A", "B", "C"], Assert.Single(cycles).Order());
    }

    /// <summary>
    /// For every namespace of the assembly, the namespaces its types use and, per edge, a few of the using types: base
    /// types, interfaces, fields, signatures, attributes and every type, method and field a method body touches. Nested
    /// and compiler-generated types count for the namespace of the type that declares them.
    /// </summary>
    private static Dictionary<string, Dictionary<string, HashSet<string>>> NamespaceGraph(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var graph = new Dictionary<string, Dictionary<string, HashSet<string>>>();
        foreach (var type in module.GetTypes())
        {
            string from = NamespaceOf(type);
            if (from.Length == 0) continue; // <Module>, <PrivateImplementationDetails>
            if (!graph.ContainsKey(from)) graph[from] = [];
            void Use(TypeReference? t)
            {
                while (t is TypeSpecification spec)
                {
                    if (spec is GenericInstanceType g) foreach (var a in g.GenericArguments) Use(a);
                    t = spec.ElementType;
                }
                if (t is null || t is GenericParameter || t.Scope != module) return;
                string to = NamespaceOf(t);
                if (to.Length == 0 || to == from) return;
                if (!graph[from].TryGetValue(to, out var why)) graph[from][to] = why = [];
                why.Add(Outermost(type).Name + "→" + Outermost(t).Name);
            }
            void UseAttributes(ICustomAttributeProvider p)
            {
                foreach (var a in p.CustomAttributes)
                {
                    Use(a.AttributeType);
                    foreach (var arg in a.ConstructorArguments) if (arg.Value is TypeReference tr) Use(tr);
                }
            }
            Use(type.BaseType);
            foreach (var i in type.Interfaces) Use(i.InterfaceType);
            UseAttributes(type);
            foreach (var f in type.Fields) { Use(f.FieldType); UseAttributes(f); }
            foreach (var p in type.Properties) { Use(p.PropertyType); UseAttributes(p); }
            foreach (var m in type.Methods)
            {
                Use(m.ReturnType);
                UseAttributes(m);
                foreach (var p in m.Parameters) { Use(p.ParameterType); UseAttributes(p); }
                if (!m.HasBody) continue;
                foreach (var v in m.Body.Variables) Use(v.VariableType);
                foreach (var instruction in m.Body.Instructions)
                    switch (instruction.Operand)
                    {
                        case TypeReference t: Use(t); break;
                        case MethodReference mr:
                            Use(mr.DeclaringType);
                            Use(mr.ReturnType);
                            foreach (var p in mr.Parameters) Use(p.ParameterType);
                            if (mr is GenericInstanceMethod gm) foreach (var a in gm.GenericArguments) Use(a);
                            break;
                        case FieldReference fr: Use(fr.DeclaringType); Use(fr.FieldType); break;
                    }
            }
        }
        return graph;
    }

    private static TypeReference Outermost(TypeReference t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t;
    }

    private static string NamespaceOf(TypeReference t) => Outermost(t).Namespace;

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, HashSet<string>>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var edges) ? edges.Keys.ToList() : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            components.Add(component);
        }
        foreach (var v in graph.Keys.Order(StringComparer.Ordinal)) if (!index.ContainsKey(v)) Visit(v);
        return components;
    }
}
