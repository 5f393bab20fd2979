namespace Matchmaker.Engine.Domain;

public sealed record City(string Code, string NameZh, string NameEn, double Latitude, double Longitude, bool InCorridor);

public sealed record SubField(string Code, string NameZh, string NameEn);

public sealed record Sector(string Code, string NameZh, string NameEn, IReadOnlyList<SubField> SubFields);

/// <summary>
/// The fixed vocabulary of the G60 corridor: its nine cities (plus the two outside cities where corridor
/// members' head offices sit) and the three sectors of the 2025 consortia with their sub-fields.
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

    private static readonly Dictionary<string, City> CityByCode = Cities.ToDictionary(c => c.Code, StringComparer.Ordinal);
    private static readonly Dictionary<string, Sector> SectorByCode = Sectors.ToDictionary(s => s.Code, StringComparer.Ordinal);
    private static readonly Dictionary<string, Sector> SectorBySubField =
        Sectors.SelectMany(s => s.SubFields.Select(f => (f.Code, s))).ToDictionary(p => p.Code, p => p.s, StringComparer.Ordinal);

    public static City? FindCity(string code) => CityByCode.GetValueOrDefault(code);
    public static Sector? FindSector(string code) => SectorByCode.GetValueOrDefault(code);
    public static Sector? SectorOfSubField(string subField) => SectorBySubField.GetValueOrDefault(subField);

    /// <summary>Great-circle distance in kilometres (haversine).</summary>
    public static double DistanceKm(City a, City b)
    {
        const double R = 6371.0;
        double Rad(double d) => d * Math.PI / 180.0;
        var dLat = Rad(b.Latitude - a.Latitude);
        var dLon = Rad(b.Longitude - a.Longitude);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
              + Math.Cos(Rad(a.Latitude)) * Math.Cos(Rad(b.Latitude)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}
