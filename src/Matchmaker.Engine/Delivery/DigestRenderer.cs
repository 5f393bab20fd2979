using System.Globalization;
using System.Text;
using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Turns a composed weekly list into the text each channel shows: the subject and plain-text part of the e-mail,
/// Markdown for WeCom and DingTalk robots (within their size limits), and the labels every format shares. The HTML
/// (e-mail and list page) is made by Razor components behind <see cref="IDigestHtmlRenderer"/>. Every text from the
/// data is escaped for the format it goes into.
/// </summary>
public static class DigestRenderer
{
    /// <summary>Reasons shown per candidate.</summary>
    public const int ReasonsShown = 2;

    public static string Subject(Digest d)
    {
        var name = OrganizationName(d, d.Language);
        var count = d.Items.Count;
        return d.Language switch
        {
            DigestLanguage.Zh => $"本周新伙伴：{name}（{WeekZh(d.Week)}，{count} 位）",
            DigestLanguage.En => $"New partners for {name} ({d.Week}, {count})",
            _ => $"本周新伙伴 New partners: {name} ({d.Week}, {count})",
        };
    }

    /// <summary>The robot message body: WeCom <c>{msgtype, markdown:{content}}</c>, DingTalk <c>{msgtype, markdown:{title, text}}</c>.</summary>
    public static MessageContent Robot(DeliveryChannel channel, Digest d, string listUrl, string unsubscribeUrl, int maxBytes)
    {
        var markdown = Markdown(d, listUrl, unsubscribeUrl, maxBytes);
        object body = channel == DeliveryChannel.DingTalk
            ? new { msgtype = "markdown", markdown = new { title = Subject(d), text = markdown } }
            : new { msgtype = "markdown", markdown = new { content = markdown } };
        return new MessageContent(Subject(d), null, markdown, JsonSerializer.Serialize(body, WireJson.Options));
    }

    /// <summary>Markdown of at most <paramref name="maxBytes"/> UTF-8 bytes: candidates that do not fit are counted and left to the list page.</summary>
    public static string Markdown(Digest d, string listUrl, string unsubscribeUrl, int maxBytes)
    {
        var lang = d.Language;
        var header = $"### {Md(Subject(d))}\n\n";
        var footer = $"\n[{T(lang, "查看完整名单", "See the whole list")}]({listUrl}) · [{T(lang, "退订", "Unsubscribe")}]({unsubscribeUrl})";
        var blocks = new List<string>();
        foreach (var item in d.Items) blocks.Add(MarkdownItem(item, lang, blocks.Count + 1));
        foreach (var gap in d.Gaps)
        {
            var block = new StringBuilder($"**{Md(GapTitle(gap, lang))}**\n");
            foreach (var c in gap.Candidates) block.Append(CultureInfo.InvariantCulture, $"- {Md(CandidateName(c, lang))}（{Md(KindLabel(c.Candidate?.Kind, lang))}）\n");
            blocks.Add(block.ToString());
        }
        var text = new StringBuilder(header);
        var used = Bytes(header) + Bytes(footer);
        for (var i = 0; i < blocks.Count; i++)
        {
            var rest = blocks.Count - i - 1;
            // Keep room for the "N more" line unless this is the last block.
            var more = rest > 0 ? Bytes(MoreLine(rest, lang)) : 0;
            if (used + Bytes(blocks[i]) + more > maxBytes)
            {
                text.Append(MoreLine(blocks.Count - i, lang));
                break;
            }
            text.Append(blocks[i]).Append('\n');
            used += Bytes(blocks[i]) + 1;
        }
        return text.Append(footer).ToString();
    }

    public static string EmailText(Digest d, string listUrl, string unsubscribeUrl)
    {
        var lang = d.Language;
        var text = new StringBuilder();
        text.Append(Subject(d)).Append("\n\n");
        if (d.Items.Count == 0) text.Append(T(lang, "本周没有新的候选伙伴。", "No new candidates this week.")).Append('\n');
        var n = 0;
        foreach (var item in d.Items)
        {
            text.Append(CultureInfo.InvariantCulture, $"{++n}. {CandidateName(item, lang)}");
            if (item.Mutual) text.Append(" [").Append(T(lang, "双方均有意向", "mutual interest")).Append(']');
            if (item.Repeated) text.Append(" [").Append(T(lang, "评分上升", "score rose")).Append(']');
            text.Append('\n').Append("   ").Append(Facts(item, lang)).Append('\n');
            foreach (var r in item.Reasons.Take(ReasonsShown)) text.Append("   - ").Append(ReasonText(r, lang)).Append('\n');
            text.Append('\n');
        }
        foreach (var gap in d.Gaps)
        {
            text.Append(GapTitle(gap, lang)).Append('\n');
            foreach (var c in gap.Candidates) text.Append("   - ").Append(CandidateName(c, lang)).Append(" (").Append(KindLabel(c.Candidate?.Kind, lang)).Append(")\n");
            text.Append('\n');
        }
        text.Append(T(lang, "完整名单：", "The whole list: ")).Append(listUrl).Append('\n');
        text.Append(T(lang, "退订：", "Unsubscribe: ")).Append(unsubscribeUrl).Append('\n');
        return text.ToString();
    }

    public static string GapTitle(DigestGap gap, DigestLanguage lang)
    {
        Codes.TryParseRole(gap.Role, out var role);
        var count = gap.Candidates.Count;
        return T(lang,
            $"您的方案「{gap.PlanName}」缺少{role.ToChinese()}（{RoleZh(role)}）伙伴：{count} 位候选",
            $"Your plan \"{gap.PlanName}\" lacks a {role.ToCode()} ({role.ToChinese()}) partner: {count} candidate{(count == 1 ? "" : "s")}");
    }

    public static string CandidateName(DigestItem item, DigestLanguage lang)
    {
        var zh = item.Candidate?.NameZh;
        var en = item.Candidate?.NameEn;
        return lang switch
        {
            DigestLanguage.Zh => zh ?? en ?? item.CandidateId,
            DigestLanguage.En => en ?? zh ?? item.CandidateId,
            _ => zh is not null && en is not null && zh != en ? $"{zh} ({en})" : zh ?? en ?? item.CandidateId,
        };
    }

    public static string ReasonText(Recommendations.Reason r, DigestLanguage lang) => lang switch
    {
        DigestLanguage.Zh => r.Zh,
        DigestLanguage.En => r.En,
        _ => $"{r.Zh} / {r.En}",
    };

    public static string KindLabel(string? kind, DigestLanguage lang) => kind switch
    {
        "university" => T(lang, "高校", "university"),
        "research-institute" => T(lang, "科研院所", "research institute"),
        "enterprise" => T(lang, "企业", "enterprise"),
        "financial-institution" => T(lang, "金融机构", "financial institution"),
        "platform" => T(lang, "平台/园区", "platform or park"),
        "public-body" => T(lang, "公共机构", "public body"),
        _ => kind ?? "",
    };

    public static string CityLabel(string? city, DigestLanguage lang) =>
        city is not null && G60Catalog.FindCity(city) is { } c ? T(lang, c.NameZh, c.NameEn) : city ?? "";

    /// <summary>Kind, city and sectors of a candidate, joined by " · ".</summary>
    public static string Facts(DigestItem item, DigestLanguage lang)
    {
        var c = item.Candidate;
        var parts = new List<string> { KindLabel(c?.Kind, lang), CityLabel(c?.City, lang) };
        foreach (var s in c?.Sectors ?? []) parts.Add(G60Catalog.FindSector(s) is { } sector ? T(lang, sector.NameZh, sector.NameEn) : s);
        return string.Join(" · ", parts.Where(p => p.Length > 0));
    }

    private static string MarkdownItem(DigestItem item, DigestLanguage lang, int n)
    {
        var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{n}. **{Md(CandidateName(item, lang))}**");
        if (item.Mutual) line.Append(" `").Append(T(lang, "双方均有意向", "mutual interest")).Append('`');
        if (item.Repeated) line.Append(" `").Append(T(lang, "评分上升", "score rose")).Append('`');
        line.Append(CultureInfo.InvariantCulture, $"\n> {Md(Facts(item, lang))}\n");
        foreach (var r in item.Reasons.Take(ReasonsShown)) line.Append("> ").Append(Md(ReasonText(r, lang))).Append('\n');
        return line.ToString();
    }

    private static string MoreLine(int count, DigestLanguage lang) =>
        T(lang, $"…另有 {count} 项，见完整名单", $"…{count} more on the list page") + "\n";

    private static string OrganizationName(Digest d, DigestLanguage lang) => lang switch
    {
        DigestLanguage.En => d.OrganizationNameEn ?? d.OrganizationNameZh ?? d.OrganizationId,
        _ => d.OrganizationNameZh ?? d.OrganizationNameEn ?? d.OrganizationId,
    };

    private static string WeekZh(string week) =>
        week.Length == 8 && week[4] == '-' && week[5] == 'W' ? $"{week[..4]}年第{int.Parse(week[6..], CultureInfo.InvariantCulture)}周" : week;

    private static string RoleZh(ConsortiumRole role) => role switch
    {
        ConsortiumRole.Industry => "产业",
        ConsortiumRole.Academia => "高校",
        ConsortiumRole.Research => "科研",
        ConsortiumRole.Finance => "金融",
        ConsortiumRole.User => "应用",
        _ => "平台",
    };

    /// <summary>The text in the list's language: Chinese, English, or both ("中文 / English").</summary>
    public static string T(DigestLanguage lang, string zh, string en) => lang switch
    {
        DigestLanguage.Zh => zh,
        DigestLanguage.En => en,
        _ => zh == en ? zh : $"{zh} / {en}",
    };

    public static string HtmlLang(DigestLanguage lang) => lang == DigestLanguage.En ? "en" : "zh-CN";

    /// <summary>Robot Markdown has no reliable escaping: characters that would start markup are dropped from data.</summary>
    private static string Md(string text)
    {
        var s = new StringBuilder(text.Length);
        foreach (var ch in text) s.Append(ch is '*' or '_' or '`' or '[' or ']' or '#' or '<' or '>' or '\n' or '\r' ? ' ' : ch);
        return s.ToString();
    }

    private static int Bytes(string s) => Encoding.UTF8.GetByteCount(s);
}
