using FastNN.Intrinsics;

namespace FastNN.Tests.Gemm;

/// <summary>The analytical blocking model on the cache hierarchies FastNN has run on, and where its inputs come from.</summary>
public class GemmBlockingModelTests
{
    // The hierarchies seen here (bytes, ways, 64-byte lines, logical processors sharing; every L3 non-inclusive, as
    // CPUID reports for these cores). Ice Lake: a 32-core Xeon; Emerald Rapids: a 64-core Xeon, 5 MiB of L3 per core.
    private static readonly Dictionary<string, CacheHierarchy> Machines = new()
    {
        ["Ice Lake"] = Hierarchy(48 << 10, 12, 1280 << 10, 20, 48 << 20, 12, 64),
        ["Emerald Rapids"] = Hierarchy(48 << 10, 12, 2 << 20, 16, 320 << 20, 16, 128),
        ["Zen 4"] = Hierarchy(32 << 10, 8, 1 << 20, 8, 32 << 20, 16, 16),
        ["Zen 5"] = Hierarchy(48 << 10, 12, 1 << 20, 16, 32 << 20, 16, 16),
    };

    private static CacheHierarchy Hierarchy(long l1, int w1, long l2, int w2, long l3, int w3, int l3SharedBy) =>
        new(new CacheLevel(l1, w1, 64, 2), new CacheLevel(l2, w2, 64, 2), new CacheLevel(l3, w3, 64, l3SharedBy, Inclusive: false), "test");

    // Worked by hand from the model (way = sets·64 bytes; S = 4 float, 8 double):
    //   KC = ⌊⌊(W1 − 1)·MR/(MR + NR)⌋·way1 / (MR·S)⌋
    //   MC = ⌊(W2 − 1 − ⌈KC·NR·S/way2⌉)·way2 / (KC·S)⌋ to a multiple of MR
    //   NC = ⌊(W3 − 1)·(way3 / cores sharing L3) / (KC·S)⌋ to a multiple of NR, at most 4 MiB / (KC·S)
    // e.g. Ice Lake, AVX-512 float 8×32: Ã gets ⌊11·8/40⌋ = 2 of the 4 KiB ways, KC = 2·4096/32 = 256; B̃'s micro-panel
    // (32 KiB) takes 1 of L2's 64 KiB ways, MC = 18·65536/1024 = 1152; a core's 1.5 MiB of L3 has 128 KiB ways,
    // NC = ⌊11·131072/1024⌋ = 1408. Zen 4, AVX2 float 6×16: ⌊7·6/22⌋ = 1 way, KC = ⌊4096/24⌋ = 170; L2 ways of
    // 128 KiB, MC = ⌊6·131072/680⌋ = 1156 → 1152; 4 MiB of L3 per core in 256 KiB ways, NC = ⌊15·262144/680⌋ = 5782 → 5776.
    [Theory]
    //                 machine             MR  NR  S     MC    KC    NC
    [InlineData("Ice Lake", 8, 32, 4, 1152, 256, 1408)]
    [InlineData("Ice Lake", 8, 16, 8, 768, 192, 928)]
    [InlineData("Ice Lake", 6, 16, 4, 576, 512, 704)]
    [InlineData("Ice Lake", 6, 8, 8, 432, 341, 528)]
    [InlineData("Emerald Rapids", 8, 32, 4, 1792, 256, 4096)]
    [InlineData("Emerald Rapids", 8, 16, 8, 1192, 192, 2720)]
    [InlineData("Emerald Rapids", 6, 16, 4, 894, 512, 2048)]
    [InlineData("Emerald Rapids", 6, 8, 8, 672, 341, 1536)]
    [InlineData("Zen 4", 8, 32, 4, 1536, 128, 7680)]
    [InlineData("Zen 4", 8, 16, 8, 768, 128, 3840)]
    [InlineData("Zen 4", 6, 16, 4, 1152, 170, 5776)]
    [InlineData("Zen 4", 6, 8, 8, 384, 256, 1920)]
    [InlineData("Zen 5", 8, 32, 4, 896, 256, 3840)]
    [InlineData("Zen 5", 8, 16, 8, 592, 192, 2560)]
    [InlineData("Zen 5", 6, 16, 4, 444, 512, 1920)]
    [InlineData("Zen 5", 6, 8, 8, 336, 341, 1440)]
    public void TheModelGivesTheseSizesAndTheyMeetItsConstraints(string machine, int mr, int nr, int s, int mc, int kc, int nc)
    {
        CacheHierarchy h = Machines[machine];
        BlockSizes b = BlockSizes.Model(h, mr, nr, s);
        Assert.Equal((mc, kc, kc + kc / 4, nc), (b.MC, b.KC, b.KCMax, b.NC));
        Assert.True(b.MC % mr == 0 && b.NC % nr == 0);

        // L1: the micro-panels of Ã and B̃ fit in all ways but one, and one more way's worth of depth for Ã would not.
        long way1 = h.L1.WayBytes;
        long Ways(long bytes, long way) => (bytes + way - 1) / way;
        Assert.True(Ways((long)mr * kc * s, way1) + Ways((long)nr * kc * s, way1) <= h.L1.Ways - 1);
        long deeper = kc + way1 / (mr * s);
        Assert.True(Ways(mr * deeper * s, way1) + Ways(nr * deeper * s, way1) > h.L1.Ways - 1);

        // L2: the block of Ã fits beside a micro-panel of B̃ with a way to spare; one more row tile would not.
        long way2 = h.L2.WayBytes, panelB = Ways((long)kc * nr * s, way2);
        Assert.True(Ways((long)mc * kc * s, way2) + panelB <= h.L2.Ways - 1);
        Assert.True(Ways((long)(mc + mr) * kc * s, way2) + panelB > h.L2.Ways - 1);

        // L3 (non-inclusive, so the block of Ã lives in L2 only): the block of B̃ fits in this core's share of all
        // ways but one; one more panel would not, unless NC is at the 4 MiB cut.
        CacheLevel l3 = h.L3!.Value;
        long way3 = l3.WayBytes / (l3.SharedBy / h.L1.SharedBy);
        Assert.True(Ways((long)kc * nc * s, way3) <= l3.Ways - 1);
        Assert.True((long)kc * nc * s <= BlockSizes.MaxPackedBBytes);
        Assert.True(Ways((long)kc * (nc + nr) * s, way3) > l3.Ways - 1 || (long)kc * (nc + nr) * s > BlockSizes.MaxPackedBBytes);
    }

    // An inclusive L3 also holds the block of Ã: fewer ways are left for B̃.
    [Fact]
    public void AnInclusiveL3LeavesTheBlockOfBTheWaysTheBlockOfADoesNotTake()
    {
        CacheHierarchy zen5 = Machines["Zen 5"], inclusive = zen5 with { L3 = zen5.L3!.Value with { Inclusive = true } };
        // Ã: 896·256·4 = 896 KiB, 4 of the core's 256 KiB ways; B̃ keeps 11: ⌊11·262144/1024⌋ = 2816.
        Assert.Equal(2816, BlockSizes.Model(inclusive, 8, 32, 4).NC);
        Assert.Equal(3840, BlockSizes.Model(zen5, 8, 32, 4).NC);
    }

    [Fact]
    public void WithoutAnL3NCIsTheWorkspaceCut()
    {
        CacheHierarchy h = Machines["Zen 5"] with { L3 = null };
        Assert.Equal((4 << 20) / (256 * 4), BlockSizes.Model(h, 8, 32, 4).NC);
    }

    [Fact]
    public void TheExperimentVariableOverridesModelAndOverridesAlike()
    {
        CacheHierarchy h = Machines["Zen 5"];
        // Rounded down to whole tiles, taken exactly (KCMax = KC).
        Assert.Equal(new BlockSizes(8, 32, 96, 300, 300, 992), BlockSizes.Derive(IsaPath.Vector512, 4, h, "Zen 5", "100, 300, 1000"));
        Assert.Equal(new BlockSizes(6, 16, 6, 7, 7, 16), BlockSizes.Derive(IsaPath.Vector256, 4, h, null, "1,7,3"));
        foreach (string bad in new[] { "", "1,2", "1,2,3,4", "0,256,1024", "-8,256,1024", "a,b,c" })
            Assert.Null(BlockSizes.TryParseExperiment(bad, 8, 32));
    }

    [Fact]
    public void AnExperimentWhosePackedBlocksFitNoArrayIsIgnored()
    {
        // Before: taken, and the first large GEMM failed with a bare OverflowException allocating its working memory.
        CacheHierarchy h = Machines["Zen 5"];
        BlockSizes model = BlockSizes.Model(h, 8, 32, 4);
        foreach (string huge in new[] { "8,2147483647,2147483647", "2147483647,2,32", "8,2,2147483647", "8,70000,70000" })
            Assert.Equal(model, BlockSizes.Derive(IsaPath.Vector512, 4, h, null, huge));
        // 8·2²⁰ + 2²⁰·32 floats, 160 MiB: large, and still one array.
        Assert.Equal(new BlockSizes(8, 32, 8, 1 << 20, 1 << 20, 32), BlockSizes.Derive(IsaPath.Vector512, 4, h, null, "8,1048576,32"));
    }

    // The limit to the byte: one array (Array.MaxLength, 2,147,483,591 bytes) less 64 of alignment holds both regions,
    // each its bytes plus 64 of slack, rounded up to 64. MC 8 by NC 32 floats (8·16 doubles) take 160 (192) bytes per
    // unit of KC, both regions multiples of 64 but the odd KC's float A (32 bytes over): KC 13421771 needs 2,147,483,520
    // bytes (11184809 doubles, 2,147,483,456) and is taken; one deeper needs 2,147,483,648 and is not. Products of three
    // int.MaxValue stay within a long. The region of B holds at least the small path's 4 MiB copy of B
    // (Gemm.MaxWorkspaceBytes): 32728·16384 floats of A (2,144,862,272 bytes) fit beside 16384·32 of B (2,097,216) but
    // not beside 4 MiB (4,194,368), and a workspace rounded up to a power of two past 1 GiB was then 2 GiB, more than
    // one array holds (an OverflowException allocating it).
    [Theory]
    [InlineData(4, "8,13421771,32", true)]
    [InlineData(4, "8,13421772,32", false)]
    [InlineData(8, "8,11184809,16", true)]
    [InlineData(8, "8,11184810,16", false)]
    [InlineData(4, "2147483647,2147483647,2147483647", false)]
    [InlineData(8, "2147483647,1,16", false)]
    [InlineData(4, "32728,16384,32", false)]
    public void AnExperimentIsTakenUpToTheLastByteOfOneArray(int elementBytes, string experiment, bool taken)
    {
        CacheHierarchy h = Machines["Zen 5"];
        BlockSizes? parsed = BlockSizes.TryParseExperiment(experiment, 8, 2 * 64 / elementBytes);
        Assert.NotNull(parsed);
        Assert.Equal(taken ? parsed : BlockSizes.Model(h, 8, 2 * 64 / elementBytes, elementBytes),
            BlockSizes.Derive(IsaPath.Vector512, elementBytes, h, null, experiment));
    }

    [Fact]
    public void OverridesApplyOnlyToTheirMicroarchitecture()
    {
        CacheHierarchy h = Machines["Zen 5"];
        Assert.Equal(BlockSizes.Model(h, 8, 32, 4), BlockSizes.Derive(IsaPath.Vector512, 4, h, null, null));
        Assert.Equal(BlockSizes.Model(h, 8, 32, 4), BlockSizes.Derive(IsaPath.Vector512, 4, h, "Zen 3", null));
        Assert.Equal(BlockSizes.Model(h, 8, 32, 4), BlockSizes.Derive(IsaPath.Vector512, 4, h, "Ice Lake", null));
        foreach (BlockingOverrides.Row row in BlockingOverrides.Rows)
        {
            (int mr, int nr) = BlockSizes.Tile(row.Path, row.ElementBytes);
            Assert.NotEmpty(row.Microarchitectures);
            foreach (string microarchitecture in row.Microarchitectures)
            {
                BlockSizes b = BlockSizes.Derive(row.Path, row.ElementBytes, h, microarchitecture, null);
                Assert.Equal((row.MC, row.KC, row.NC), (b.MC, b.KC, b.NC));
                Assert.True(b.MC % mr == 0 && b.NC % nr == 0 && (long)b.KCMax * b.NC * row.ElementBytes <= 2 * BlockSizes.MaxPackedBBytes);
                // The evidence gives the figures measured on each microarchitecture the row names.
                Assert.Contains(microarchitecture + ":", row.Evidence);
            }
        }
        // A microarchitecture finds at most one row per path and element size.
        var named = BlockingOverrides.Rows.SelectMany(r => r.Microarchitectures.Select(m => (m, r.Path, r.ElementBytes))).ToList();
        Assert.Equal(named.Count, named.Distinct().Count());
    }

    // A B read in place is blocked no deeper than the model's L1 depth, whatever an override chose.
    [Fact]
    public void BlocksOfBReadInPlaceKeepTheModelsL1Depth()
    {
        var deep = new BlockSizes(6, 16, 48, 1024, 1280, 1024);
        Assert.Equal(deep with { KC = 170, KCMax = 212 }, deep.WithDepthAtMost(170));
        var shallow = new BlockSizes(6, 16, 1152, 170, 212, 6160);
        Assert.Equal(shallow, shallow.WithDepthAtMost(512));
        foreach (IsaPath path in new[] { IsaPath.Vector512, IsaPath.Vector256, IsaPath.Vector128, IsaPath.Scalar })
        {
            (int mr, int nr) = BlockSizes.Tile(path, 4);
            Assert.Equal(BlockSizes.Model(CacheHierarchy.Current, mr, nr, 4).KC, BlockSizes.L1Depth<float>(path));
            (mr, nr) = BlockSizes.Tile(path, 8);
            Assert.Equal(BlockSizes.Model(CacheHierarchy.Current, mr, nr, 8).KC, BlockSizes.L1Depth<double>(path));
        }
    }

    [Fact]
    public void LinuxDescriptionIsRead()
    {
        string root = Path.Combine(Path.GetTempPath(), $"fastnn-cache-{Guid.NewGuid():N}");
        try
        {
            void Index(int i, string level, string type, string size, string ways, string shared) =>
                WriteSysfsIndex(root, i, level, type, size, ways, "64", shared);
            Index(0, "1", "Data", "48K", "12", "0,64");
            Index(1, "1", "Instruction", "32K", "8", "0,64");
            Index(2, "2", "Unified", "1280K", "20", "0,64");
            Index(3, "3", "Unified", "49152K", "12", "0-31,64-95");
            CacheHierarchy? h = CacheHierarchy.FromSysfs(root);
            Assert.NotNull(h);
            Assert.Equal(new CacheLevel(48 << 10, 12, 64, 2), h.L1);
            Assert.Equal(new CacheLevel(1280 << 10, 20, 64, 2), h.L2);
            Assert.Equal<CacheLevel?>(new CacheLevel(48 << 20, 12, 64, 64), h.L3);
            Assert.Equal(64, h.L1.Sets);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        Assert.Null(CacheHierarchy.FromSysfs(root));
    }

    private static void WriteSysfsIndex(string root, int i, string level, string type, string size, string ways, string line, string shared)
    {
        string d = Path.Combine(root, $"index{i}");
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "level"), level + "\n");
        File.WriteAllText(Path.Combine(d, "type"), type + "\n");
        File.WriteAllText(Path.Combine(d, "size"), size + "\n");
        File.WriteAllText(Path.Combine(d, "ways_of_associativity"), ways + "\n");
        File.WriteAllText(Path.Combine(d, "coherency_line_size"), line + "\n");
        File.WriteAllText(Path.Combine(d, "shared_cpu_list"), shared + "\n");
    }

    // A malformed field makes its index unusable, never an exception at the GEMM's start-up: a bad L2 leaves no
    // description (the fallback follows), a bad L3 a description without one.
    [Theory]
    [InlineData("size", "")]
    [InlineData("size", "K")]
    [InlineData("size", "48X")]
    [InlineData("size", "-48K")]
    [InlineData("size", "99999999999999999999K")]
    [InlineData("size", "9223372036854775807K")]
    [InlineData("level", "")]
    [InlineData("level", "two")]
    [InlineData("ways", "")]
    [InlineData("ways", "1e3")]
    [InlineData("line", "")]
    [InlineData("line", "0")]
    [InlineData("shared", "0-")]
    [InlineData("shared", "3-1")]
    [InlineData("shared", "a,b")]
    public void MalformedLinuxDescriptionIsSkippedNotThrown(string field, string value)
    {
        string root = Path.Combine(Path.GetTempPath(), $"fastnn-cache-{Guid.NewGuid():N}");
        try
        {
            void Index(int i, string level, string size, string ways)
            {
                string Pick(string name, string good) => name == field ? value : good;
                WriteSysfsIndex(root, i, Pick("level", level), "Unified", Pick("size", size), Pick("ways", ways), Pick("line", "64"), Pick("shared", "0-1"));
            }
            WriteSysfsIndex(root, 0, "1", "Data", "48K", "12", "64", "0");
            Index(2, "2", "1280K", "0"); // 0 ways: fully associative, so a bad size cannot hide behind a division
            Assert.Null(CacheHierarchy.FromSysfs(root));
            Directory.Delete(Path.Combine(root, "index2"), recursive: true);
            WriteSysfsIndex(root, 2, "2", "Unified", "1280K", "20", "64", "0");
            Index(3, "3", "32M", "16");
            CacheHierarchy? h = CacheHierarchy.FromSysfs(root);
            Assert.NotNull(h);
            Assert.Equal(new CacheLevel(1280 << 10, 20, 64), h.L2);
            Assert.Null(h.L3);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Linux leaves out a field it does not know (cache_default_attrs_is_visible hides level, type, size and
    // coherency_line_size when 0, and ways_of_associativity when the size is), as some ARM firmware leaves it: the
    // index is skipped as a malformed one is. Before: FileNotFoundException, so the whole description became the
    // fallback even where L1 and L2 were complete.
    [Theory]
    [InlineData("size")]
    [InlineData("level")]
    [InlineData("ways_of_associativity")]
    [InlineData("coherency_line_size")]
    public void AFieldLinuxLeavesOutSkipsItsIndex(string file)
    {
        string root = Path.Combine(Path.GetTempPath(), $"fastnn-cache-{Guid.NewGuid():N}");
        try
        {
            WriteSysfsIndex(root, 0, "1", "Data", "48K", "12", "64", "0");
            WriteSysfsIndex(root, 2, "2", "Unified", "1280K", "20", "64", "0");
            WriteSysfsIndex(root, 3, "3", "Unified", "32M", "16", "64", "0-7");
            File.Delete(Path.Combine(root, "index3", file));
            CacheHierarchy? h = CacheHierarchy.FromSysfs(root);
            Assert.NotNull(h);
            Assert.Equal(new CacheLevel(1280 << 10, 20, 64), h.L2);
            Assert.Null(h.L3);
            File.Delete(Path.Combine(root, "index2", file));
            Assert.Null(CacheHierarchy.FromSysfs(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("48K", 48L << 10)]
    [InlineData("32M", 32L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("65536", 65536L)]
    [InlineData("", null)]
    [InlineData("M", null)]
    [InlineData("+48K", null)]
    [InlineData("8589934592G", null)] // 2⁶³ bytes: beyond a long
    public void SizesParse(string text, long? bytes) => Assert.Equal(bytes, CacheHierarchy.ParseSize(text));

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-1", 2)]
    [InlineData("0-3,8-11", 8)]
    [InlineData("0,2,4", 3)]
    [InlineData("", 1)]
    [InlineData("0-", null)]
    [InlineData("5-2", null)]
    [InlineData("0,x", null)]
    public void CpuListsCount(string list, int? count) => Assert.Equal(count, CacheHierarchy.CountCpus(list));

    // Whatever this machine reports (or the fallback) is usable, and the blocking derived from it fits every kernel.
    [Fact]
    public void ThisMachinesHierarchyIsPlausible()
    {
        CacheHierarchy h = CacheHierarchy.Current;
        Assert.True(h.L1.IsPlausible && h.L2.IsPlausible, h.ToString());
        Assert.True(h.L2.Bytes >= h.L1.Bytes, h.ToString());
        Assert.Contains(h.Source, new[] { "cpuid leaf 4", "cpuid leaf 0x8000001D", "/sys", "fallback" });
    }
}
