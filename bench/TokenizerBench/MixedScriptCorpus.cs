using System.Text;

namespace OnDemandGateway.Bench;

/// <summary>A deterministic mixed-script text shaped like chat traffic: prose, code, CJK, Cyrillic, Arabic,
/// emoji, numbers and runs of white space.</summary>
internal static class MixedScriptCorpus
{
    private static readonly string[] English =
    [
        "the", "gateway", "counts", "tokens", "for", "every", "request", "and", "it's", "fast", "enough", "that",
        "nobody", "notices", "We'll", "see", "whether", "The", "model", "answered", "with", "a", "long", "reply",
        "about", "weather", "in", "San", "Francisco", "you're", "right", "I've", "been", "thinking", "OpenAI",
        "streaming", "responses", "don't", "always", "arrive", "in", "order", "HTTP", "JSON", "API", "keys",
    ];

    private static readonly string[] Code =
    [
        "public static int Count(ReadOnlySpan<char> text)\n{\n    var total = 0;\n    foreach (var c in text)\n    {\n        total += c == ' ' ? 1 : 0;\n    }\n    return total;\n}\n",
        "def encode(self, text: str) -> list[int]:\n    \"\"\"Encode text.\"\"\"\n    return [self.ranks[p] for p in self.split(text)]\n\n",
        "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"stream\": true}\n",
        "for (let i = 0; i < items.length; i++) {\n\tif (items[i] !== null) console.log(`item ${i}: ${items[i]}`);\n}\n",
        "SELECT id, model, prompt_tokens FROM usage WHERE created_at >= '2024-06-01' ORDER BY id DESC;\n",
        "    // TODO: handle the \\r\\n case\r\n    if (x&&y||!z) { return a[i]->b; }\r\n",
    ];

    private static readonly string[] Cyrillic = ["привет", "мир", "это", "тест", "токенизатора", "Москва", "сегодня", "погода", "хорошая"];
    private static readonly string[] Arabic = ["مرحبا", "بالعالم", "هذا", "اختبار", "النموذج", "الطقس", "اليوم", "جميل"];
    private static readonly string[] Emoji = ["😀", "🎉", "👍🏽", "👨‍👩‍👧", "🇺🇸", "❤️", "🚀", "🤖", "✨", "𝐇𝐞𝐥𝐥𝐨"];
    private static readonly string[] Spaces = ["\n\n", "    ", "\t\t", "  \n", "\r\n", " \n  \n", "        "];

    private const string Chinese = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明";
    private const string Japanese = "これはトークナイザーのテストです。東京の天気は晴れ、明日は雨でしょう。カタカナとひらがなと漢字。";

    public static string Generate(int utf8Bytes, int seed = 42)
    {
        var random = new Random(seed);
        var text = new StringBuilder(utf8Bytes);
        var bytes = 0;
        while (bytes < utf8Bytes)
        {
            var segment = random.Next(100) switch
            {
                < 35 => Sentence(random, English, " ") + (random.Next(3) == 0 ? "\n" : " "),
                < 50 => Code[random.Next(Code.Length)],
                < 60 => Pick(random, Chinese, random.Next(5, 30)) + "。",
                < 65 => Japanese,
                < 73 => Sentence(random, Cyrillic, " ") + ". ",
                < 80 => Sentence(random, Arabic, " ") + ". ",
                < 86 => string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Emoji[random.Next(Emoji.Length)])) + " ",
                < 94 => Number(random) + (random.Next(2) == 0 ? ", " : " "),
                _ => Spaces[random.Next(Spaces.Length)],
            };
            text.Append(segment);
            bytes += Encoding.UTF8.GetByteCount(segment);
        }
        return text.ToString();
    }

    private static string Sentence(Random random, string[] words, string separator)
    {
        var sentence = string.Join(separator, Enumerable.Range(0, random.Next(4, 16)).Select(_ => words[random.Next(words.Length)]));
        return random.Next(4) == 0 ? sentence + "," : sentence + ".";
    }

    private static string Pick(Random random, string pool, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => pool[random.Next(pool.Length)]));

    private static string Number(Random random) => random.Next(4) switch
    {
        0 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => (random.NextDouble() * 1000).ToString("F3", System.Globalization.CultureInfo.InvariantCulture),
        2 => $"2024-{random.Next(1, 13):00}-{random.Next(1, 29):00}",
        _ => string.Concat(Enumerable.Range(0, random.Next(5, 40)).Select(_ => (char)('0' + random.Next(10)))),
    };
}
