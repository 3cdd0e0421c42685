namespace FastNN.IO;

/// <summary>
/// Paths as the system reads them through symbolic links. Shared by saves (<see cref="AtomicFile"/>) and by the fastnn
/// command's checks of its files, so that a check looks at the file a save writes.
/// </summary>
internal static class SymbolicLinks
{
    /// <summary>As Linux follows at most (MAXSYMLINKS) in one path.</summary>
    public const int MaxLinks = 40;

    /// <summary>
    /// The full path with every symbolic link on it followed, as the system follows them when .NET opens the path: a link
    /// to a folder leads to its files (folder/data.csv is real/data.csv), and a ".." in a link's target after a linked
    /// folder leaves the folder it leads to, not the link's (FileInfo.ResolveLinkTarget reads it as text from the link's
    /// path). A ".." in the path itself is read as text, as .NET reads it before the system sees the path (FileStream opens
    /// Path.GetFullPath(path)), so that a load of the same path reads the file a save wrote. A part the system does not
    /// answer for, and any past <see cref="MaxLinks"/> links (a loop, left for opening the file to report), is taken as
    /// written; a separator at the end (of the path, or of the target of a link at its end, where a final "." or ".." counts
    /// as one) stays.
    /// </summary>
    /// <param name="path">The path, relative to the current folder or full.</param>
    /// <param name="followLast">Whether a link that is the path's last part is followed too; without it, the path of the
    /// link itself, in the folder the system finds it in.</param>
    public static string Followed(string path, bool followLast = true)
    {
        string full = Path.GetFullPath(path);
        return Walk(Path.GetPathRoot(full)!, full, followLast);
    }

    /// <summary>
    /// Where the symbolic link at <paramref name="link"/> (a full path whose folders' links are followed) leads, a link at
    /// the end of its target not followed: the next step of the system's walk. Null when it is no link.
    /// </summary>
    public static string? Next(string link) =>
        LinkTarget(link) is string target ? Walk(Path.GetDirectoryName(link) ?? link, target, followLast: false) : null;

    // Walks the parts of path from the folder done (from its root if path is rooted), following links as the system does.
    // A final separator names a folder, to the system as here ("m.safetensors/" is not the file m.safetensors), whether
    // it ends the path or the target of a link the path ends in, and stays; so does a target's final "." or "..".
    private static string Walk(string done, string path, bool followLast)
    {
        if (Path.IsPathRooted(path))
            done = Path.GetPathRoot(path)!;
        bool folder = NamesFolder(path);
        var left = new List<string>(Parts(path));
        for (int links = 0; left.Count > 0;)
        {
            string part = left[0];
            left.RemoveAt(0);
            if (part == "..")
                done = Path.GetDirectoryName(done) ?? done;
            if (part is "." or "..")
                continue;
            string next = Path.Join(done, part);
            if (links == MaxLinks || (left.Count == 0 && !followLast) || LinkTarget(next) is not string target)
            {
                done = next;
                continue;
            }
            // A link: its target's parts in its place, from the root or from the link's folder.
            links++;
            if (Path.IsPathRooted(target))
                done = Path.GetPathRoot(target)!;
            folder |= left.Count == 0 && NamesFolder(target);
            left.InsertRange(0, Parts(target));
        }
        return folder && !Path.EndsInDirectorySeparator(done) ? done + Path.DirectorySeparatorChar : done;
    }

    // Whether a path names a folder by its form: a final separator, or a final "." or ".." ("m.safetensors/." looks up "."
    // in m.safetensors, which the system then needs to be a folder).
    private static bool NamesFolder(string path) => Path.EndsInDirectorySeparator(path) || Parts(path) is [.., "." or ".."];

    /// <summary>The text of the link at <paramref name="path"/>, or null when it is no link or the system does not say.</summary>
    public static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Parts(string path) =>
        path[Path.GetPathRoot(path)!.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
