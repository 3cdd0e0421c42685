namespace FastNN.Benchmarks.Infrastructure;

/// <summary>What RESULTS.md records of the machine a report ran on: lscpu's model name, family/model and cache sizes.</summary>
internal static class Machine
{
    /// <summary>One line: model name, family/model, processors, caches of CPU 0 (sysfs), ISA path; "unknown" parts where Linux's files are absent.</summary>
    public static string Describe()
    {
        string name = "unknown", family = "?", model = "?";
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                string[] parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
                if (parts.Length < 2)
                    continue;
                if (parts[0] == "model name" && name == "unknown")
                    name = parts[1];
                else if (parts[0] == "cpu family" && family == "?")
                    family = parts[1];
                else if (parts[0] == "model" && model == "?")
                    model = parts[1];
                else if (parts[0] == "processor" && parts[1] != "0")
                    break;
            }
        }
        catch (IOException)
        {
        }
        return $"{name} (family {family}, model {model}), {Environment.ProcessorCount} processors, caches {Caches()}, " +
            $"ISA path {Intrinsics.Isa.Path}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";
    }

    private static string Caches()
    {
        var caches = new List<string>();
        try
        {
            foreach (string dir in Directory.EnumerateDirectories("/sys/devices/system/cpu/cpu0/cache", "index*").Order())
            {
                string Read(string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();
                string type = Read("type") switch { "Data" => "d", "Instruction" => "i", _ => "" };
                caches.Add($"L{Read("level")}{type} {Read("size")} {Read("ways_of_associativity")}-way");
            }
        }
        catch (IOException)
        {
        }
        return caches.Count == 0 ? "unknown" : string.Join(", ", caches);
    }
}
