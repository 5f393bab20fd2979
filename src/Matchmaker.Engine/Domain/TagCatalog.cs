namespace Matchmaker.Engine.Domain;

/// <summary>A capability or need tag as a person reads it.</summary>
public sealed record TagLabel(string Code, string Zh, string En);

/// <summary>
/// Chinese and English labels of the capability and need tags (the demo graph's 70 and the synthetic generator's),
/// so that reasons, list pages, e-mails, robots and the widget show words, not slugs. Tags stay free-form on the
/// wire: an unknown tag reads as itself with hyphens as spaces, and a synthetic sub-field tag
/// (<c>carbon-fibre-testing</c>) as its sub-field's name and the step.
/// </summary>
public static class TagCatalog
{
    public static IReadOnlyList<TagLabel> Tags { get; } =
    [
        // The demo graph's vocabulary (graph/seed/README.md).
        new("ai-algorithms", "人工智能算法", "AI algorithms"),
        new("air-suspension", "空气悬架", "air suspension"),
        new("airspace-management", "空域管理", "airspace management"),
        new("airworthiness-certification", "适航审定", "airworthiness certification"),
        new("application-scenarios", "应用场景", "application scenarios"),
        new("automotive-sensors", "汽车传感器", "automotive sensors"),
        new("autonomous-driving-algorithms", "自动驾驶算法", "autonomous-driving algorithms"),
        new("aviation-maintenance", "航空维修", "aviation maintenance"),
        new("bank-credit", "银行信贷", "bank credit"),
        new("battery-management-systems", "电池管理系统", "battery management systems"),
        new("battery-recycling", "电池回收", "battery recycling"),
        new("battery-thermal-management", "电池热管理", "battery thermal management"),
        new("capital-market-services", "资本市场服务", "capital-market services"),
        new("carbon-fibre", "碳纤维", "carbon fibre"),
        new("cathode-materials", "正极材料", "cathode materials"),
        new("cell-manufacturing", "电芯制造", "cell manufacturing"),
        new("charging-infrastructure", "充电基础设施", "charging infrastructure"),
        new("composite-moulding", "复合材料成型", "composite moulding"),
        new("data-platforms", "数据平台", "data platforms"),
        new("drone-manufacturing", "无人机制造", "drone manufacturing"),
        new("e-drive-systems", "电驱动系统", "e-drive systems"),
        new("equipment-leasing", "设备融资租赁", "equipment leasing"),
        new("evtol-design", "电动垂直起降飞行器设计", "eVTOL design"),
        new("fibre-spinning", "纤维纺丝", "fibre spinning"),
        new("flight-control-systems", "飞行控制系统", "flight control systems"),
        new("flight-test", "试飞", "flight testing"),
        new("functional-coatings", "功能涂层", "functional coatings"),
        new("functional-safety", "功能安全", "functional safety"),
        new("government-funding", "政府资金支持", "government funding"),
        new("hydrogen-fuel-cells", "氢燃料电池", "hydrogen fuel cells"),
        new("incubation", "孵化服务", "incubation"),
        new("industrial-space", "产业空间", "industrial space"),
        new("instrument-sharing", "仪器共享", "instrument sharing"),
        new("insurance-guarantee", "保险与担保", "insurance and guarantees"),
        new("international-cooperation", "国际合作", "international cooperation"),
        new("ip-pledge-finance", "知识产权质押融资", "IP-pledge financing"),
        new("ip-services", "知识产权服务", "IP services"),
        new("lidar", "激光雷达", "lidar"),
        new("lightweight-alloys", "轻量化合金", "lightweight alloys"),
        new("low-altitude-communications", "低空通信", "low-altitude communications"),
        new("low-altitude-logistics", "低空物流", "low-altitude logistics"),
        new("market-access", "市场准入", "market access"),
        new("mass-manufacturing", "规模化制造", "mass manufacturing"),
        new("materials-characterization", "材料表征", "materials characterisation"),
        new("metrology-testing", "计量检测", "metrology and testing"),
        new("navigation-positioning", "导航定位", "navigation and positioning"),
        new("pilot-production", "中试生产", "pilot production"),
        new("pilot-training", "飞行员培训", "pilot training"),
        new("policy-support", "政策支持", "policy support"),
        new("polymer-processing", "高分子加工", "polymer processing"),
        new("power-electronics", "电力电子", "power electronics"),
        new("reliability-testing", "可靠性测试", "reliability testing"),
        new("semiconductor-materials", "半导体材料", "semiconductor materials"),
        new("sensor-fusion", "多传感器融合", "sensor fusion"),
        new("simulation-software", "仿真软件", "simulation software"),
        new("smart-textiles", "智能纺织品", "smart textiles"),
        new("solid-state-electrolytes", "固态电解质", "solid-state electrolytes"),
        new("standards-certification", "标准与认证", "standards and certification"),
        new("strategy-consulting", "战略咨询", "strategy consulting"),
        new("supply-chain-finance", "供应链金融", "supply-chain finance"),
        new("supply-chain-integration", "供应链整合", "supply-chain integration"),
        new("talent-recruitment", "人才招聘", "talent recruitment"),
        new("talent-training", "人才培养", "talent training"),
        new("technology-assessment", "技术评估", "technology assessment"),
        new("technology-trading", "技术交易", "technology trading"),
        new("technology-transfer", "技术转移", "technology transfer"),
        new("test-sites", "测试场地", "test sites"),
        new("vehicle-integration", "整车集成", "vehicle integration"),
        new("vehicle-testing", "整车测试", "vehicle testing"),
        new("venture-funding", "风险投资", "venture funding"),
        // The synthetic generator's generic tags (src/Matchmaker.Evaluation/Synthetic/SyntheticGraph.cs).
        new("applied-research", "应用研究", "applied research"),
        new("basic-research", "基础研究", "basic research"),
        new("insurance", "保险", "insurance"),
        new("ipo-advisory", "上市辅导", "IPO advisory"),
        new("mass-production", "量产", "mass production"),
        new("prototype-development", "样机开发", "prototype development"),
        new("public-procurement", "政府采购", "public procurement"),
        new("simulation", "仿真", "simulation"),
        new("standards", "标准制定", "standards"),
        new("system-integration", "系统集成", "system integration"),
        new("testing-certification", "检测认证", "testing and certification"),
    ];

    /// <summary>The steps the synthetic generator appends to a sub-field code to make a tag.</summary>
    private static readonly Dictionary<string, (string Zh, string En)> Steps = new(StringComparer.Ordinal)
    {
        ["design"] = ("设计", "design"),
        ["process"] = ("工艺", "processes"),
        ["testing"] = ("测试", "testing"),
        ["materials"] = ("材料", "materials"),
        ["integration"] = ("集成", "integration"),
    };

    private static readonly Dictionary<string, TagLabel> ByCode = Tags.ToDictionary(t => t.Code, StringComparer.Ordinal);

    /// <summary>Whether the catalog names the tag (a sub-field step counts).</summary>
    public static bool IsKnown(string code) => ByCode.ContainsKey(code) || SubFieldStep(code) is not null;

    /// <summary>The tag's labels; an unknown tag reads as itself with hyphens as spaces in both languages.</summary>
    public static TagLabel Label(string code)
    {
        if (ByCode.TryGetValue(code, out var label)) return label;
        if (SubFieldStep(code) is { } step) return step;
        var plain = code.Replace('-', ' ');
        return new TagLabel(code, plain, plain);
    }

    public static string Zh(string code) => Label(code).Zh;

    public static string En(string code) => Label(code).En;

    private static TagLabel? SubFieldStep(string code)
    {
        var dash = code.LastIndexOf('-');
        if (dash <= 0 || !Steps.TryGetValue(code[(dash + 1)..], out var step)) return null;
        var subField = code[..dash];
        foreach (var sector in G60Catalog.Sectors)
        {
            foreach (var s in sector.SubFields)
            {
                if (s.Code == subField) return new TagLabel(code, s.NameZh + step.Zh, $"{s.NameEn} {step.En}");
            }
        }
        return null;
    }
}
