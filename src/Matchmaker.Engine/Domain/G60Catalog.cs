namespace Matchmaker.Engine.Domain;

public sealed record City(string Code, string NameZh, string NameEn, double Latitude, double Longitude, bool InCorridor);

public sealed record SubField(string Code, string NameZh, string NameEn);

public sealed record Sector(string Code, string NameZh, string NameEn, IReadOnlyList<SubField> SubFields);

/// <summary>
/// The fixed vocabulary of the G60 corridor: its nine cities (plus the two outside cities where corridor
/// members' head offices sit) and the three sectors of the 2025 consortia with their sub-fields; and, for real
/// European consortia, European countries as places and Horizon Europe programme parts as sectors.
/// Codes are stable: they are stored and sent over the wire.
/// </summary>
public static class G60Catalog
{
    public static IReadOnlyList<City> Cities { get; } =
    [
        new("shanghai-songjiang", "上海松江", "Shanghai Songjiang", 31.0322, 121.2277, true),
        new("jiaxing", "嘉兴", "Jiaxing", 30.7461, 120.7555, true),
        new("hangzhou", "杭州", "Hangzhou", 30.2741, 120.1551, true),
        new("jinhua", "金华", "Jinhua", 29.0790, 119.6474, true),
        new("suzhou", "苏州", "Suzhou", 31.2989, 120.5853, true),
        new("huzhou", "湖州", "Huzhou", 30.8943, 120.0868, true),
        new("xuancheng", "宣城", "Xuancheng", 30.9404, 118.7587, true),
        new("wuhu", "芜湖", "Wuhu", 31.3525, 118.4331, true),
        new("hefei", "合肥", "Hefei", 31.8206, 117.2272, true),
        new("shanghai", "上海(松江以外)", "Shanghai (outside Songjiang)", 31.2304, 121.4737, false),
        new("beijing", "北京", "Beijing", 39.9042, 116.4074, false),
    ];

    public static IReadOnlyList<Sector> Sectors { get; } =
    [
        new("new-materials", "新材料", "New materials",
        [
            new("battery-materials", "电池材料", "Battery materials"),
            new("carbon-fibre", "碳纤维及复合材料", "Carbon fibre and composites"),
            new("advanced-polymers", "高性能高分子材料", "Advanced polymers"),
            new("functional-textiles", "功能纤维与纺织材料", "Functional fibres and textiles"),
            new("semiconductor-materials", "半导体材料", "Semiconductor materials"),
            new("metal-alloys", "先进金属与合金", "Advanced metals and alloys"),
        ]),
        new("new-energy-vehicles", "新能源汽车", "New-energy vehicles",
        [
            new("power-batteries", "动力电池", "Power batteries"),
            new("e-drive", "电驱动系统", "Electric drive"),
            new("autonomous-driving", "自动驾驶", "Autonomous driving"),
            new("vehicle-electronics", "汽车电子与传感器", "Vehicle electronics and sensors"),
            new("charging", "充换电设施", "Charging and battery swapping"),
            new("hydrogen-fuel-cells", "氢燃料电池", "Hydrogen fuel cells"),
        ]),
        new("low-altitude-economy", "低空经济", "Low-altitude economy",
        [
            new("evtol", "电动垂直起降飞行器", "eVTOL aircraft"),
            new("drones", "无人机", "Drones"),
            new("flight-control", "飞控系统", "Flight control"),
            new("airspace-management", "空域管理与低空通信", "Airspace management and communication"),
            new("low-altitude-operations", "低空运营服务", "Low-altitude operations"),
        ]),
    ];

    /// <summary>
    /// Places of real European consortia (CORDIS, European Commission): European countries by the ISO-like codes CORDIS
    /// writes (<c>EL</c> for Greece, <c>UK</c> for the United Kingdom), at their capitals, and <c>ZZ</c> for any
    /// country elsewhere. Kept apart from <see cref="Cities"/>, which the synthetic corridor graph draws from.
    /// </summary>
    public static IReadOnlyList<City> EuropeanPlaces { get; } =
    [
        new("AT", "奥地利", "Austria", 48.2082, 16.3738, false),
        new("BE", "比利时", "Belgium", 50.8503, 4.3517, false),
        new("BG", "保加利亚", "Bulgaria", 42.6977, 23.3219, false),
        new("HR", "克罗地亚", "Croatia", 45.8150, 15.9819, false),
        new("CY", "塞浦路斯", "Cyprus", 35.1856, 33.3823, false),
        new("CZ", "捷克", "Czechia", 50.0755, 14.4378, false),
        new("DK", "丹麦", "Denmark", 55.6761, 12.5683, false),
        new("EE", "爱沙尼亚", "Estonia", 59.4370, 24.7536, false),
        new("FI", "芬兰", "Finland", 60.1699, 24.9384, false),
        new("FR", "法国", "France", 48.8566, 2.3522, false),
        new("DE", "德国", "Germany", 52.5200, 13.4050, false),
        new("EL", "希腊", "Greece", 37.9838, 23.7275, false),
        new("HU", "匈牙利", "Hungary", 47.4979, 19.0402, false),
        new("IE", "爱尔兰", "Ireland", 53.3498, -6.2603, false),
        new("IT", "意大利", "Italy", 41.9028, 12.4964, false),
        new("LV", "拉脱维亚", "Latvia", 56.9496, 24.1052, false),
        new("LT", "立陶宛", "Lithuania", 54.6872, 25.2797, false),
        new("LU", "卢森堡", "Luxembourg", 49.6116, 6.1319, false),
        new("MT", "马耳他", "Malta", 35.8989, 14.5146, false),
        new("NL", "荷兰", "Netherlands", 52.3676, 4.9041, false),
        new("PL", "波兰", "Poland", 52.2297, 21.0122, false),
        new("PT", "葡萄牙", "Portugal", 38.7223, -9.1393, false),
        new("RO", "罗马尼亚", "Romania", 44.4268, 26.1025, false),
        new("SK", "斯洛伐克", "Slovakia", 48.1486, 17.1077, false),
        new("SI", "斯洛文尼亚", "Slovenia", 46.0569, 14.5058, false),
        new("ES", "西班牙", "Spain", 40.4168, -3.7038, false),
        new("SE", "瑞典", "Sweden", 59.3293, 18.0686, false),
        new("UK", "英国", "United Kingdom", 51.5074, -0.1278, false),
        new("CH", "瑞士", "Switzerland", 46.9480, 7.4474, false),
        new("NO", "挪威", "Norway", 59.9139, 10.7522, false),
        new("IS", "冰岛", "Iceland", 64.1466, -21.9426, false),
        new("LI", "列支敦士登", "Liechtenstein", 47.1410, 9.5209, false),
        new("TR", "土耳其", "Türkiye", 39.9334, 32.8597, false),
        new("RS", "塞尔维亚", "Serbia", 44.7866, 20.4489, false),
        new("ME", "黑山", "Montenegro", 42.4304, 19.2594, false),
        new("MK", "北马其顿", "North Macedonia", 41.9981, 21.4254, false),
        new("AL", "阿尔巴尼亚", "Albania", 41.3275, 19.8187, false),
        new("BA", "波斯尼亚和黑塞哥维那", "Bosnia and Herzegovina", 43.8563, 18.4131, false),
        new("XK", "科索沃", "Kosovo", 42.6629, 21.1655, false),
        new("MD", "摩尔多瓦", "Moldova", 47.0105, 28.8638, false),
        new("UA", "乌克兰", "Ukraine", 50.4501, 30.5234, false),
        new("GE", "格鲁吉亚", "Georgia", 41.7151, 44.8271, false),
        new("AM", "亚美尼亚", "Armenia", 40.1792, 44.4991, false),
        new("AZ", "阿塞拜疆", "Azerbaijan", 40.4093, 49.8671, false),
        new("FO", "法罗群岛", "Faroe Islands", 62.0107, -6.7741, false),
        new("MC", "摩纳哥", "Monaco", 43.7384, 7.4246, false),
        new("AD", "安道尔", "Andorra", 42.5063, 1.5218, false),
        new("VA", "梵蒂冈", "Vatican City", 41.9029, 12.4534, false),
        new("SM", "圣马力诺", "San Marino", 43.9424, 12.4578, false),
        new("GI", "直布罗陀", "Gibraltar", 36.1408, -5.3536, false),
        new("IM", "马恩岛", "Isle of Man", 54.1523, -4.4861, false),
        new("ZZ", "欧洲以外的国家和地区", "Outside Europe", 0, 0, false),
    ];

    /// <summary>
    /// The main programme parts of Horizon Europe (and Euratom) as sectors, for real consortia (CORDIS, European
    /// Commission). Kept apart from <see cref="Sectors"/>, the corridor's three sectors.
    /// </summary>
    public static IReadOnlyList<Sector> HorizonProgrammeParts { get; } =
    [
        new("HORIZON.1.1", "欧洲研究理事会(ERC)", "European Research Council (ERC)", []),
        new("HORIZON.1.2", "玛丽·居里行动(MSCA)", "Marie Skłodowska-Curie Actions (MSCA)", []),
        new("HORIZON.1.3", "研究基础设施", "Research infrastructures", []),
        new("HORIZON.2.1", "健康", "Health", []),
        new("HORIZON.2.2", "文化、创意与包容性社会", "Culture, creativity and inclusive society", []),
        new("HORIZON.2.3", "社会公共安全", "Civil security for society", []),
        new("HORIZON.2.4", "数字、工业与空间", "Digital, industry and space", []),
        new("HORIZON.2.5", "气候、能源与交通", "Climate, energy and mobility", []),
        new("HORIZON.2.6", "食品、生物经济、自然资源、农业与环境", "Food, bioeconomy, natural resources, agriculture and environment", []),
        new("HORIZON.3.1", "欧洲创新理事会(EIC)", "European Innovation Council (EIC)", []),
        new("HORIZON.3.2", "欧洲创新生态系统", "European innovation ecosystems", []),
        new("HORIZON.3.3", "欧洲创新与技术研究院(EIT)", "European Institute of Innovation and Technology (EIT)", []),
        new("HORIZON.4.1", "扩大参与与传播卓越", "Widening participation and spreading excellence", []),
        new("HORIZON.4.2", "改革与加强欧洲研究与创新体系", "Reforming and enhancing the European R&I system", []),
        new("EURATOM2027", "欧洲原子能共同体研究与培训计划", "Euratom research and training programme", []),
    ];

    /// <summary>Every known place: the corridor's cities, then <see cref="EuropeanPlaces"/>.</summary>
    public static IReadOnlyList<City> AllPlaces { get; } = [.. Cities, .. EuropeanPlaces];

    /// <summary>Every known sector: the corridor's, then <see cref="HorizonProgrammeParts"/>.</summary>
    public static IReadOnlyList<Sector> AllSectors { get; } = [.. Sectors, .. HorizonProgrammeParts];

    private static readonly Dictionary<string, City> CityByCode = AllPlaces.ToDictionary(c => c.Code, StringComparer.Ordinal);
    private static readonly Dictionary<string, Sector> SectorByCode = AllSectors.ToDictionary(s => s.Code, StringComparer.Ordinal);
    private static readonly Dictionary<string, Sector> SectorBySubField =
        Sectors.SelectMany(s => s.SubFields.Select(f => (f.Code, s))).ToDictionary(p => p.Code, p => p.s, StringComparer.Ordinal);

    public static City? FindCity(string code) => CityByCode.GetValueOrDefault(code);
    public static Sector? FindSector(string code) => SectorByCode.GetValueOrDefault(code);
    public static Sector? SectorOfSubField(string subField) => SectorBySubField.GetValueOrDefault(subField);

    /// <summary>Great-circle distance in kilometres (haversine).</summary>
    public static double DistanceKm(City a, City b)
    {
        const double earthRadiusKm = 6371.0;
        double Rad(double d) => d * Math.PI / 180.0;
        var dLat = Rad(b.Latitude - a.Latitude);
        var dLon = Rad(b.Longitude - a.Longitude);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
              + Math.Cos(Rad(a.Latitude)) * Math.Cos(Rad(b.Latitude)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * earthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}
