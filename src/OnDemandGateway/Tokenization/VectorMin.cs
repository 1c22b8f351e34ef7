using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OnDemandGateway.Tokenization;

/// <summary>The leftmost minimum of an int array, eight lanes at a time: the inner loop of the linear merge,
/// which is what makes its quadratic scan cheap up to a few hundred bytes.</summary>
internal static class VectorMin
{
    public const int Width = 8;

    /// <summary><paramref name="length"/> rounded up to whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundUp(int length) => (length + Width - 1) & ~(Width - 1);

    /// <summary>Moves <paramref name="values"/>[<paramref name="from"/> + 1 .. <paramref name="end"/>] one slot
    /// down. Works in whole vectors, so it reads up to a vector past <paramref name="end"/> and writes up to
    /// <paramref name="end"/> + 6: the span needs that slack, and the slots past the end receive what lay
    /// above them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ShiftLeft(Span<int> values, int from, int end)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            values[(from + 1)..(end + 1)].CopyTo(values[from..]);
            return;
        }
        if (end + Width > values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(end));
        }
        ref var start = ref MemoryMarshal.GetReference(values);
        // Forward order: each load reads slots that no earlier store has written.
        for (var i = from; i < end; i += Width)
        {
            Vector256.LoadUnsafe(ref start, (nuint)(i + 1)).StoreUnsafe(ref start, (nuint)i);
        }
    }

    /// <summary>The index of the first smallest value in <paramref name="values"/> (a whole number of vectors
    /// long) and, in <paramref name="min"/>, the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfMin(Span<int> values, out int min)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return ScalarIndexOfMin(values, out min);
        }
        ref var start = ref MemoryMarshal.GetReference(values);
        var smallest = Vector256.LoadUnsafe(ref start);
        for (var i = Width; i < values.Length; i += Width)
        {
            smallest = Vector256.Min(smallest, Vector256.LoadUnsafe(ref start, (nuint)i));
        }
        // Fold the eight lanes to one, then find the first vector that holds it.
        smallest = Vector256.Min(smallest, Vector256.Shuffle(smallest, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3)));
        smallest = Vector256.Min(smallest, Vector256.Shuffle(smallest, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)));
        smallest = Vector256.Min(smallest, Vector256.Shuffle(smallest, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)));
        for (var i = 0; ; i += Width)
        {
            var hits = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), smallest).ExtractMostSignificantBits();
            if (hits != 0)
            {
                min = smallest.ToScalar();
                return i + BitOperations.TrailingZeroCount(hits);
            }
        }
    }

    private static int ScalarIndexOfMin(Span<int> values, out int min)
    {
        var at = 0;
        min = values[0];
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] < min)
            {
                min = values[i];
                at = i;
            }
        }
        return at;
    }
}
