using System.Globalization;
using System.Text;

namespace MeshInABox.MeshRepository.Samples;

/// <summary>
/// Team Gray's ad impressions: too large to commit, so generated, the same
/// rows for the same count on every machine (a seeded generator).
/// </summary>
public static class AdImpressionsGenerator
{
    public const string RelativePath = "advertising/ad-impressions/data/impressions.csv";
    public const string Header = "impression_id,shown_at,campaign_id,title_id,placement,audience_segment,clicked,cost_eur";

    private static readonly string[] Placements = ["pre-roll", "mid-roll", "banner"];
    private static readonly string[] Segments = ["family", "sci-fi-fans", "sports", "documentary", "kids", "drama"];
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Writes <paramref name="rows"/> impressions to <paramref name="path"/>; returns bytes written.</summary>
    public static long Write(string path, int rows, IProgress<int>? progress = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(20260101);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        writer.Write(Header);
        writer.Write('\n');
        var line = new StringBuilder(128);
        for (var i = 1; i <= rows; i++)
        {
            var shownAt = Start.AddSeconds(i * 7L + random.Next(7));
            var clicked = random.Next(100) < 3;
            var placement = Placements[random.Next(Placements.Length)];
            var cost = Math.Round((placement == "banner" ? 0.002 : 0.011) + random.NextDouble() * 0.004, 4);
            line.Clear()
                .Append(i.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(shownAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append("cmp-").Append((random.Next(40) + 1).ToString("D3", CultureInfo.InvariantCulture)).Append(',')
                .Append("tt").Append((random.Next(120) + 1).ToString("D4", CultureInfo.InvariantCulture)).Append(',')
                .Append(placement).Append(',')
                .Append(Segments[random.Next(Segments.Length)]).Append(',')
                .Append(clicked ? "true" : "false").Append(',')
                .Append(cost.ToString("0.0000", CultureInfo.InvariantCulture)).Append('\n');
            writer.Write(line);
            if (i % 100_000 == 0)
            {
                progress?.Report(i);
            }
        }

        writer.Flush();
        return writer.BaseStream.Length;
    }
}
