namespace FastNN.Intrinsics;

/// <summary>An integer known to the JIT: a struct type argument whose <see cref="Value"/> folds to a constant, so one kernel source serves several fixed shapes.</summary>
internal interface IConstant
{
    /// <summary>The constant.</summary>
    static abstract int Value { get; }
}

/// <summary>A small-path tile of 8 rows.</summary>
internal readonly struct Rows8 : IConstant { public static int Value => 8; }

/// <summary>A small-path tile of 7 rows.</summary>
internal readonly struct Rows7 : IConstant { public static int Value => 7; }

/// <summary>A small-path tile of 6 rows.</summary>
internal readonly struct Rows6 : IConstant { public static int Value => 6; }

/// <summary>A small-path tile of 5 rows.</summary>
internal readonly struct Rows5 : IConstant { public static int Value => 5; }

/// <summary>A small-path tile of 4 rows.</summary>
internal readonly struct Rows4 : IConstant { public static int Value => 4; }

/// <summary>A small-path tile of 3 rows.</summary>
internal readonly struct Rows3 : IConstant { public static int Value => 3; }

/// <summary>A small-path tile of 2 rows.</summary>
internal readonly struct Rows2 : IConstant { public static int Value => 2; }

/// <summary>A small-path tile of 1 row.</summary>
internal readonly struct Rows1 : IConstant { public static int Value => 1; }

/// <summary>Small-path loads and stores of whole vectors.</summary>
internal readonly struct Unmasked : IConstant { public static int Value => 0; }

/// <summary>Small-path loads and stores under a lane mask (the ragged right edge of C).</summary>
internal readonly struct Masked : IConstant { public static int Value => 1; }

/// <summary>A small-path tile one vector wide.</summary>
internal readonly struct OneVector : IConstant { public static int Value => 1; }

/// <summary>A small-path tile two vectors wide.</summary>
internal readonly struct TwoVectors : IConstant { public static int Value => 2; }

/// <summary>A dot-product tile of 5 columns.</summary>
internal readonly struct Cols5 : IConstant { public static int Value => 5; }

/// <summary>A dot-product tile of 4 columns.</summary>
internal readonly struct Cols4 : IConstant { public static int Value => 4; }

/// <summary>A dot-product tile of 3 columns.</summary>
internal readonly struct Cols3 : IConstant { public static int Value => 3; }

/// <summary>A dot-product tile of 2 columns.</summary>
internal readonly struct Cols2 : IConstant { public static int Value => 2; }

/// <summary>A dot-product tile of 1 column.</summary>
internal readonly struct Cols1 : IConstant { public static int Value => 1; }
