using System.Text;

namespace FastNN.Training;

/// <summary>
/// The text of a result record's list member, for its <c>ToString</c>: the items themselves, where the compiler's
/// record printing would write the list's type name (<c>System.Collections.Generic.List`1[...]</c>).
/// </summary>
/// <remarks>Thread safety: stateless; safe on any thread.</remarks>
internal static class RecordText
{
    /// <summary>Appends <c>name = [item, item, …]</c>, each item by its own ToString; <c>name = null</c> for a null list (which the records' constructors accept), so that printing never throws.</summary>
    public static StringBuilder AppendList<TItem>(this StringBuilder builder, string name, IReadOnlyList<TItem>? items)
    {
        if (items is null)
            return builder.Append(name).Append(" = null");
        builder.Append(name).Append(" = [");
        for (int i = 0; i < items.Count; i++)
            builder.Append(i > 0 ? ", " : "").Append(items[i]);
        return builder.Append(']');
    }
}
