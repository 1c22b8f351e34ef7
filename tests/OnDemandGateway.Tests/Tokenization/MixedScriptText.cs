using System.Text;

namespace OnDemandGateway.Tests.Tokenization;

/// <summary>Random text drawn from the scripts and shapes that stress the pre-tokeniser.</summary>
internal static class MixedScriptText
{
    private static readonly (int From, int To)[] Ranges =
    [
        (0x20, 0x7E), (0x20, 0x7E), (0x20, 0x7E), // ASCII, weighted up
        (0x00, 0x1F), (0x80, 0xFF), (0x300, 0x36F), // controls, Latin-1, combining marks
        (0x400, 0x4FF), (0x600, 0x6FF), (0x900, 0x97F), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00),
        (0x2000, 0x206F), (0x1C80, 0x1C8F), (0xFE00, 0xFFFF), // punctuation and spaces, recent letters, specials
        (0x1D400, 0x1D7FF), (0x1F300, 0x1F6FF), (0x20000, 0x200FF), (0x10400, 0x1044F), (0xE0000, 0xE007F),
    ];

    private static readonly string[] Fragments =
    [
        "'s", "'T", "'ſ", "'LL", " ", "  ", "\n", "\r\n", "\t", " \n ", "\u00A0", "\u0085", "12345", "//", "<|endoftext|>",
    ];

    public static string Random(Random random, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            var roll = random.Next(20);
            if (roll == 0)
            {
                text.Append((char)random.Next(0xD800, 0xE000)); // a lone surrogate half
            }
            else if (roll < 5)
            {
                text.Append(Fragments[random.Next(Fragments.Length)]);
            }
            else
            {
                var (from, to) = Ranges[random.Next(Ranges.Length)];
                var codePoint = random.Next(from, to + 1);
                if (codePoint is >= 0xD800 and <= 0xDFFF)
                {
                    continue;
                }
                text.Append(char.ConvertFromUtf32(codePoint));
            }
        }
        return text.ToString();
    }
}
