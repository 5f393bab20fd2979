using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Turns a composed weekly list into what each channel shows: HTML and plain-text e-mail, Markdown for WeCom and
/// DingTalk robots (within their size limits), and the web page behind the list link. Every text from the data is
/// escaped for the format it goes into.
/// </summary>
public static class DigestRenderer
{
    /// <summary>Reasons shown per candidate.</summary>
    public const int ReasonsShown = 2;

    public static MessageContent Email(Digest d, string listUrl, string unsubscribeUrl)
    {
        return new MessageContent(Subject(d), EmailHtml(d, listUrl, unsubscribeUrl), EmailText(d, listUrl, unsubscribeUrl), null);
    }

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

    public static string EmailHtml(Digest d, string listUrl, string unsubscribeUrl)
    {
        var lang = d.Language;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html><html lang="{HtmlLang(lang)}"><head><meta charset="utf-8"><title>{H(Subject(d))}</title></head>
            <body style="margin:0;padding:16px;font-family:-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2933;background:#f5f7fa">
            <div style="max-width:640px;margin:0 auto;background:#fff;border-radius:8px;padding:20px">
            <h1 style="font-size:20px;margin:0 0 4px">{H(Subject(d))}</h1>
            """);
        html.Append(ItemsHtml(d));
        html.Append(CultureInfo.InvariantCulture, $"""
            <p style="margin:20px 0 0"><a href="{H(listUrl)}" style="color:#1a56db">{H(T(lang, "在网页上查看完整名单", "See the whole list on the web"))}</a></p>
            <p style="margin:16px 0 0;font-size:12px;color:#7b8794">{H(T(lang, "您收到此邮件是因为订阅了每周伙伴名单。", "You receive this because you subscribed to the weekly partner list."))}
            <a href="{H(unsubscribeUrl)}" style="color:#7b8794">{H(T(lang, "退订", "Unsubscribe"))}</a></p>
            </div></body></html>
            """);
        return html.ToString();
    }

    /// <summary>The page behind the list link: the same list, no script, no key needed.</summary>
    public static string Page(Digest d, string unsubscribeUrl)
    {
        var lang = d.Language;
        return $$"""
            <!DOCTYPE html>
            <html lang="{{HtmlLang(lang)}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>{{H(Subject(d))}}</title>
            <style>
            body{margin:0;font-family:-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2933;background:#f5f7fa}
            main{max-width:760px;margin:0 auto;padding:24px}
            h1{font-size:22px;margin:0 0 16px}
            footer{margin-top:24px;font-size:13px;color:#7b8794}
            footer a{color:#7b8794}
            </style></head>
            <body><main>
            <h1>{{H(Subject(d))}}</h1>
            {{ItemsHtml(d)}}
            <footer>{{H(T(lang, "由 G60 科创走廊伙伴匹配服务生成", "Made by the G60 corridor partner matchmaking service"))}} · {{H(d.ComposedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}} ·
            <a href="{{H(unsubscribeUrl)}}">{{H(T(lang, "退订", "Unsubscribe"))}}</a></footer>
            </main></body></html>
            """;
    }

    private static string ItemsHtml(Digest d)
    {
        var lang = d.Language;
        var html = new StringBuilder();
        if (d.Items.Count == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{H(T(lang, "本周没有新的候选伙伴。", "No new candidates this week."))}</p>");
        html.Append("<ol style=\"padding-left:20px;margin:12px 0\">");
        foreach (var item in d.Items)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"candidate\" data-candidate=\"{H(item.CandidateId)}\" style=\"margin:0 0 14px\"><strong>{H(CandidateName(item, lang))}</strong>");
            if (item.Mutual) html.Append(CultureInfo.InvariantCulture, $" <span class=\"badge mutual\" style=\"background:#def7ec;color:#03543f;border-radius:4px;padding:1px 6px;font-size:12px\">{H(T(lang, "双方均有意向", "Mutual interest"))}</span>");
            if (item.Repeated) html.Append(CultureInfo.InvariantCulture, $" <span class=\"badge rose\" style=\"background:#fdf6b2;color:#723b13;border-radius:4px;padding:1px 6px;font-size:12px\">{H(T(lang, "评分上升", "Score rose"))}</span>");
            html.Append(CultureInfo.InvariantCulture, $"<div style=\"color:#52606d;font-size:13px\">{H(Facts(item, lang))}</div><ul style=\"margin:4px 0 0;padding-left:18px;font-size:14px\">");
            foreach (var r in item.Reasons.Take(ReasonsShown)) html.Append(CultureInfo.InvariantCulture, $"<li>{H(ReasonText(r, lang))}</li>");
            html.Append("</ul></li>");
        }
        html.Append("</ol>");
        foreach (var gap in d.Gaps)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section class=\"gap\" style=\"border-left:3px solid #f0b429;padding:4px 12px;margin:12px 0\"><h2 style=\"font-size:16px;margin:4px 0\">{H(GapTitle(gap, lang))}</h2><ul style=\"margin:4px 0;padding-left:18px\">");
            foreach (var c in gap.Candidates) html.Append(CultureInfo.InvariantCulture, $"<li>{H(CandidateName(c, lang))} · {H(KindLabel(c.Candidate?.Kind, lang))} · {H(CityLabel(c.Candidate?.City, lang))}</li>");
            html.Append("</ul></section>");
        }
        return html.ToString();
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

    private static string Facts(DigestItem item, DigestLanguage lang)
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

    private static string T(DigestLanguage lang, string zh, string en) => lang switch
    {
        DigestLanguage.Zh => zh,
        DigestLanguage.En => en,
        _ => zh == en ? zh : $"{zh} / {en}",
    };

    private static string HtmlLang(DigestLanguage lang) => lang == DigestLanguage.En ? "en" : "zh-CN";

    private static string H(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Robot Markdown has no reliable escaping: characters that would start markup are dropped from data.</summary>
    private static string Md(string text)
    {
        var s = new StringBuilder(text.Length);
        foreach (var ch in text) s.Append(ch is '*' or '_' or '`' or '[' or ']' or '#' or '<' or '>' or '\n' or '\r' ? ' ' : ch);
        return s.ToString();
    }

    private static int Bytes(string s) => Encoding.UTF8.GetByteCount(s);
}
