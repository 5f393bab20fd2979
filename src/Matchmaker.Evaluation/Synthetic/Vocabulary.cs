using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Synthetic;

/// <summary>
/// The word lists the synthetic texts are composed from: Chinese and English pairs per sub-field (technologies,
/// products, processes), per sector (application scenes), and shared methods, goals and sentence frames.
/// </summary>
internal static class Vocabulary
{
    public static readonly Dictionary<string, string> SectorAbbreviations = new(StringComparer.Ordinal)
    {
        ["new-materials"] = "NM", ["new-energy-vehicles"] = "NEV", ["low-altitude-economy"] = "LAE",
    };

    /// <summary>Sentence frames, Chinese and English: {0} and {1} sub-field terms, {2} a method, {3} a goal, {4} a scene. The first two open a summary.</summary>
    public static readonly (string Zh, string En)[] Sentences =
    [
        ("本项目围绕{0}开展研究，重点突破{1}等关键技术。", "the project studies {0} and targets key technologies such as {1}."),
        ("项目针对{4}对{0}的需求，开展{1}的研发。", "driven by the needs of {4} for {0}, the project develops {1}."),
        ("采用{2}，提升{0}的{3}。", "using {2}, it improves the {3} of {0}."),
        ("面向{4}场景，研制{0}样机并完成验证。", "for {4}, it builds and validates prototypes of {0}."),
        ("建立{0}与{1}的协同设计方法。", "it establishes a joint design method for {0} and {1}."),
        ("形成{0}的测试评价规范，支撑{4}的规模化应用。", "it sets out test and evaluation rules for {0}, supporting large-scale use in {4}."),
        ("联合上下游企业建设{0}中试线，降低{1}成本。", "with upstream and downstream firms it builds a pilot line for {0} and lowers the cost of {1}."),
        ("通过{2}揭示{0}的失效机理。", "through {2} it reveals the failure mechanisms of {0}."),
        ("成果将应用于{4}，显著提高{3}。", "results will be applied to {4}, markedly raising {3}."),
        ("开发面向{4}的{0}集成方案。", "it develops an integrated solution of {0} for {4}."),
        ("攻克{0}国产化瓶颈，实现{1}自主可控。", "it removes bottlenecks in domestic {0} and secures the supply of {1}."),
        ("结合{2}优化{1}工艺窗口。", "it combines {2} with {1} to widen the process window."),
        ("项目将申请发明专利并制定{0}团体标准。", "the consortium will file patents and draft group standards for {0}."),
        ("在长三角G60科创走廊内开展{0}的示范应用。", "demonstrations of {0} will run in the G60 corridor of the Yangtze River Delta."),
        ("研究{0}在{4}中的{3}评价方法。", "it studies how to assess the {3} of {0} in {4}."),
        ("以{2}为手段，构建{0}数据库。", "it builds a database of {0} by means of {2}."),
    ];

    public static readonly (string Zh, string En)[] TitleNouns =
    [
        ("关键技术研究", "key technologies for {0}"), ("研发与产业化", "development and industrialisation of {0}"),
        ("应用示范", "demonstration of {0}"), ("协同创新平台", "joint innovation platform for {0}"),
        ("工程化验证", "engineering validation of {0}"), ("性能提升研究", "improving {0}"),
        ("标准体系研究", "standards for {0}"), ("中试与量产", "pilot and volume production of {0}"),
        ("可靠性评价", "reliability assessment of {0}"), ("国产化替代", "domestic substitution of {0}"),
    ];

    public static readonly (string Zh, string En)[] TopicFocus =
    [
        ("技术攻关", "research on {0}"), ("产业化示范", "industrial demonstration of {0}"),
        ("共性平台建设", "shared platforms for {0}"), ("应用场景开放", "open application scenarios for {0}"),
        ("标准与检测", "standards and testing of {0}"),
    ];

    public static readonly (string Zh, string En)[] Methods =
    [
        ("多尺度仿真", "multiscale simulation"), ("机器学习", "machine learning"), ("高通量实验", "high-throughput experiments"),
        ("原位表征", "in-situ characterisation"), ("数字孪生", "digital twins"), ("模型预测控制", "model predictive control"),
        ("有限元分析", "finite element analysis"), ("工艺优化", "process optimisation"), ("加速寿命试验", "accelerated life testing"),
        ("故障诊断", "fault diagnosis"), ("大数据分析", "big-data analytics"), ("正向设计", "model-based design"),
    ];

    public static readonly (string Zh, string En)[] Goals =
    [
        ("性能", "performance"), ("可靠性", "reliability"), ("一致性", "consistency"), ("能量效率", "energy efficiency"),
        ("使用寿命", "service life"), ("安全性", "safety"), ("良品率", "yield"), ("轻量化水平", "weight savings"),
        ("环境适应性", "environmental robustness"), ("量产能力", "manufacturability"), ("成本竞争力", "cost competitiveness"),
        ("响应速度", "response speed"),
    ];

    public static readonly Dictionary<OrganizationKind, (string Zh, string En)> KindWork = new()
    {
        [OrganizationKind.University] = ("高校", "A university"),
        [OrganizationKind.ResearchInstitute] = ("研究机构", "A research institute"),
        [OrganizationKind.Enterprise] = ("企业", "An enterprise"),
        [OrganizationKind.FinancialInstitution] = ("金融机构", "A financial institution"),
        [OrganizationKind.Platform] = ("服务平台", "A platform"),
        [OrganizationKind.PublicBody] = ("公共机构", "A public body"),
    };

    /// <summary>Application scenes per sector.</summary>
    public static readonly Dictionary<string, (string Zh, string En)[]> Scenes = new(StringComparer.Ordinal)
    {
        ["new-materials"] =
        [
            ("新能源电池", "new-energy batteries"), ("航空航天结构件", "aerospace structures"), ("轨道交通", "rail transit"),
            ("集成电路制造", "chip manufacturing"), ("医疗器械", "medical devices"), ("光伏组件", "photovoltaic modules"),
            ("高端装备", "high-end equipment"), ("防护服装", "protective clothing"), ("电子封装", "electronic packaging"),
            ("海洋工程", "marine engineering"), ("风电叶片", "wind turbine blades"), ("储能电站", "energy storage stations"),
            ("5G通信", "5G communications"), ("建筑节能", "energy-efficient buildings"),
        ],
        ["new-energy-vehicles"] =
        [
            ("乘用车", "passenger cars"), ("商用车", "commercial vehicles"), ("城市公交", "city buses"),
            ("物流配送", "logistics delivery"), ("网约车", "ride-hailing fleets"), ("重型卡车", "heavy trucks"),
            ("智能网联示范区", "connected-vehicle pilot zones"), ("高速公路", "highways"), ("港口运输", "port haulage"),
            ("园区接驳", "campus shuttles"), ("换电网络", "battery-swap networks"), ("车网互动", "vehicle-to-grid services"),
            ("出租车队", "taxi fleets"), ("冷链运输", "cold-chain transport"),
        ],
        ["low-altitude-economy"] =
        [
            ("城市空中交通", "urban air mobility"), ("低空物流", "low-altitude logistics"), ("应急救援", "emergency rescue"),
            ("电力巡检", "power-line inspection"), ("农林植保", "crop protection"), ("低空旅游", "low-altitude tourism"),
            ("医疗急送", "medical delivery"), ("城市治理", "city management"), ("测绘遥感", "mapping and remote sensing"),
            ("跨江通勤", "cross-river commuting"), ("海岛运输", "island transport"), ("森林防火", "forest fire watch"),
            ("交通执法", "traffic enforcement"), ("港口巡查", "port surveillance"),
        ],
    };

    /// <summary>Technologies, products and processes per sub-field.</summary>
    public static readonly Dictionary<string, (string Zh, string En)[]> Terms = new(StringComparer.Ordinal)
    {
        ["battery-materials"] =
        [
            ("高镍正极材料", "high-nickel cathodes"), ("硅碳负极", "silicon-carbon anodes"), ("固态电解质", "solid-state electrolytes"),
            ("磷酸锰铁锂", "lithium manganese iron phosphate"), ("钠离子电池材料", "sodium-ion battery materials"),
            ("锂金属负极", "lithium-metal anodes"), ("隔膜涂覆", "separator coatings"), ("电解液添加剂", "electrolyte additives"),
            ("导电剂", "conductive carbon additives"), ("前驱体合成", "precursor synthesis"), ("补锂技术", "pre-lithiation"),
            ("正极包覆", "cathode surface coating"), ("硫化物电解质", "sulfide electrolytes"), ("回收再生材料", "recycled cathode materials"),
        ],
        ["carbon-fibre"] =
        [
            ("大丝束碳纤维", "large-tow carbon fibre"), ("原丝纺丝", "precursor spinning"), ("预氧化碳化", "oxidation and carbonisation"),
            ("热塑性复合材料", "thermoplastic composites"), ("树脂基体", "resin matrices"), ("预浸料", "prepregs"),
            ("自动铺丝", "automated fibre placement"), ("界面上浆剂", "fibre sizing agents"), ("缠绕成型", "filament winding"),
            ("高压储氢瓶", "high-pressure hydrogen cylinders"), ("复合材料修补", "composite repair"), ("无损检测", "non-destructive inspection"),
            ("拉挤成型", "pultrusion"), ("碳纤维回收", "carbon fibre recycling"),
        ],
        ["advanced-polymers"] =
        [
            ("聚酰亚胺薄膜", "polyimide films"), ("特种工程塑料", "specialty engineering plastics"), ("液晶聚合物", "liquid crystal polymers"),
            ("生物基聚酯", "bio-based polyesters"), ("可降解塑料", "biodegradable plastics"), ("氟聚合物", "fluoropolymers"),
            ("聚醚醚酮", "polyether ether ketone"), ("阻燃改性", "flame-retardant compounding"), ("光刻胶树脂", "photoresist resins"),
            ("热塑性弹性体", "thermoplastic elastomers"), ("高分子分离膜", "polymer separation membranes"), ("共混改性", "polymer blending"),
            ("催化聚合", "catalytic polymerisation"), ("耐高温胶粘剂", "high-temperature adhesives"),
        ],
        ["functional-textiles"] =
        [
            ("智能纺织品", "smart textiles"), ("相变调温纤维", "phase-change thermoregulating fibres"),
            ("超高分子量聚乙烯纤维", "ultra-high-molecular-weight polyethylene fibres"), ("芳纶纤维", "aramid fibres"),
            ("抗菌纤维", "antibacterial fibres"), ("静电纺丝", "electrospinning"), ("纳米纤维膜", "nanofibre membranes"),
            ("导电纱线", "conductive yarns"), ("医用敷料", "medical dressings"), ("再生纤维素纤维", "regenerated cellulose fibres"),
            ("功能性整理", "functional finishing"), ("可穿戴传感织物", "wearable sensing fabrics"), ("过滤材料", "filtration media"),
            ("数码印染", "digital dyeing"),
        ],
        ["semiconductor-materials"] =
        [
            ("碳化硅衬底", "silicon carbide substrates"), ("氮化镓外延", "gallium nitride epitaxy"), ("大尺寸硅片", "large-diameter silicon wafers"),
            ("电子特气", "electronic specialty gases"), ("湿电子化学品", "wet electronic chemicals"), ("抛光液", "polishing slurries"),
            ("光刻胶", "photoresists"), ("溅射靶材", "sputtering targets"), ("封装基板", "packaging substrates"), ("氧化镓", "gallium oxide"),
            ("晶体生长", "crystal growth"), ("缺陷控制", "defect control"), ("先进封装材料", "advanced packaging materials"), ("掩模版", "photomasks"),
        ],
        ["metal-alloys"] =
        [
            ("高温合金", "superalloys"), ("钛合金", "titanium alloys"), ("铝锂合金", "aluminium-lithium alloys"), ("高强钢", "high-strength steels"),
            ("镁合金压铸", "magnesium die casting"), ("金属增材制造", "metal additive manufacturing"), ("粉末冶金", "powder metallurgy"),
            ("非晶合金", "amorphous alloys"), ("高熵合金", "high-entropy alloys"), ("一体化压铸", "integrated die casting"),
            ("热处理工艺", "heat treatment"), ("表面涂层", "protective surface coatings"), ("铜合金带材", "copper alloy strip"),
            ("焊接工艺", "welding processes"),
        ],
        ["power-batteries"] =
        [
            ("电池单体", "battery cells"), ("电池包", "battery packs"), ("电池管理系统", "battery management systems"),
            ("热失控防护", "thermal runaway protection"), ("快充电池", "fast-charging cells"), ("固态电池", "solid-state batteries"),
            ("电芯一致性", "cell uniformity"), ("无模组技术", "cell-to-pack design"), ("电池热管理", "battery thermal management"),
            ("健康状态估计", "state-of-health estimation"), ("电池梯次利用", "second-life batteries"), ("极片制造", "electrode manufacturing"),
            ("化成分容", "formation and grading"), ("滥用安全测试", "abuse testing"),
        ],
        ["e-drive"] =
        [
            ("永磁同步电机", "permanent-magnet synchronous motors"), ("电机控制器", "motor controllers"),
            ("碳化硅功率模块", "silicon carbide power modules"), ("多合一电驱", "integrated e-axles"), ("减速器", "reduction gearboxes"),
            ("扁线绕组", "hairpin windings"), ("油冷电机", "oil-cooled motors"), ("逆变器", "traction inverters"), ("轮毂电机", "in-wheel motors"),
            ("噪声振动控制", "noise and vibration control"), ("无稀土电机", "rare-earth-free motors"), ("电磁兼容", "electromagnetic compatibility"),
            ("电机效率优化", "motor efficiency mapping"), ("高功率密度", "high power density"),
        ],
        ["autonomous-driving"] =
        [
            ("环境感知", "environment perception"), ("多传感器融合", "multi-sensor fusion"), ("决策规划", "decision and planning"),
            ("高精地图", "high-definition maps"), ("车路协同", "vehicle-road cooperation"), ("端到端模型", "end-to-end driving models"),
            ("仿真测试", "scenario simulation testing"), ("自动泊车", "automated parking"), ("线控底盘", "drive-by-wire chassis"),
            ("预期功能安全", "safety of the intended functionality"), ("驾驶数据闭环", "driving data pipelines"), ("目标检测", "object detection"),
            ("轨迹预测", "trajectory prediction"), ("智能驾驶芯片", "driving compute chips"),
        ],
        ["vehicle-electronics"] =
        [
            ("激光雷达", "lidar"), ("毫米波雷达", "millimetre-wave radar"), ("车载摄像头", "automotive cameras"), ("域控制器", "domain controllers"),
            ("车规级芯片", "automotive-grade chips"), ("智能座舱", "smart cockpits"), ("车载以太网", "automotive Ethernet"),
            ("功率半导体", "power semiconductors"), ("车身电子", "body electronics"), ("电子电气架构", "electrical and electronic architecture"),
            ("压力传感器", "pressure sensors"), ("车载操作系统", "vehicle operating systems"), ("空中升级", "over-the-air updates"),
            ("功能安全", "functional safety"),
        ],
        ["charging"] =
        [
            ("超级快充", "ultra-fast charging"), ("换电站", "battery-swap stations"), ("液冷充电枪", "liquid-cooled charging connectors"),
            ("有序充电", "smart charging"), ("双向充放电", "bidirectional charging"), ("光储充一体化", "solar-storage-charging hubs"),
            ("无线充电", "wireless charging"), ("充电桩运营", "charge point operation"), ("兆瓦级充电", "megawatt charging"),
            ("充电通信协议", "charging communication protocols"), ("配电网接入", "grid connection"), ("充电安全监测", "charging safety monitoring"),
            ("自动充电机器人", "robotic charging"), ("充电负荷预测", "charging load forecasting"),
        ],
        ["hydrogen-fuel-cells"] =
        [
            ("燃料电池电堆", "fuel cell stacks"), ("膜电极", "membrane electrode assemblies"), ("质子交换膜", "proton exchange membranes"),
            ("铂催化剂", "platinum catalysts"), ("双极板", "bipolar plates"), ("空压机", "air compressors"),
            ("氢循环泵", "hydrogen recirculation pumps"), ("车载储氢", "on-board hydrogen storage"), ("加氢站", "hydrogen refuelling stations"),
            ("低温冷启动", "cold start"), ("电解水制氢", "water electrolysis"), ("系统耐久性", "stack durability"), ("氢气纯度", "hydrogen purity"),
            ("燃料电池重卡", "fuel cell trucks"),
        ],
        ["evtol"] =
        [
            ("倾转旋翼", "tilt-rotor designs"), ("分布式电推进", "distributed electric propulsion"), ("复合翼构型", "lift-and-cruise configurations"),
            ("航空动力电池", "aviation batteries"), ("适航审定", "airworthiness certification"), ("机体结构", "airframe structures"),
            ("气动设计", "aerodynamic design"), ("旋翼噪声", "rotor noise"), ("垂直起降场", "vertiports"), ("载人飞行器", "passenger air vehicles"),
            ("飞行模拟", "flight simulation"), ("航电系统", "avionics"), ("电推进电机", "electric propulsion motors"), ("冗余设计", "redundant architectures"),
        ],
        ["drones"] =
        [
            ("多旋翼无人机", "multirotor drones"), ("固定翼无人机", "fixed-wing drones"), ("垂直起降固定翼", "hybrid VTOL drones"),
            ("物流无人机", "cargo drones"), ("任务载荷", "drone payloads"), ("图传链路", "video datalinks"), ("集群编队", "swarm formation"),
            ("长航时动力", "long-endurance power"), ("自主避障", "obstacle avoidance"), ("植保喷洒", "crop spraying"),
            ("倾斜摄影", "oblique photogrammetry"), ("无人机机场", "drone docks"), ("反无人机", "counter-drone systems"), ("系留无人机", "tethered drones"),
        ],
        ["flight-control"] =
        [
            ("飞控计算机", "flight control computers"), ("惯性导航", "inertial navigation"), ("卫星导航增强", "satellite navigation augmentation"),
            ("姿态控制", "attitude control"), ("容错控制", "fault-tolerant control"), ("自主起降", "autonomous take-off and landing"),
            ("航迹规划", "path planning"), ("视觉定位", "visual positioning"), ("舵机作动器", "servo actuators"), ("控制律设计", "control law design"),
            ("硬件在环仿真", "hardware-in-the-loop simulation"), ("飞行数据记录", "flight data recording"), ("抗风扰动", "gust rejection"),
            ("机载软件", "airborne software"),
        ],
        ["airspace-management"] =
        [
            ("低空空域划设", "low-altitude airspace design"), ("无人机交通管理", "unmanned traffic management"),
            ("低空通信网络", "low-altitude communication networks"), ("通感一体基站", "integrated sensing and communication base stations"),
            ("监视雷达", "surveillance radar"), ("电子围栏", "geofencing"), ("飞行计划审批", "flight plan approval"), ("冲突探测", "conflict detection"),
            ("航空气象保障", "aviation weather services"), ("远程识别", "remote identification"), ("北斗定位", "BeiDou positioning"),
            ("低空数字底座", "low-altitude digital infrastructure"), ("航路网络", "air route networks"), ("频谱管理", "spectrum management"),
        ],
        ["low-altitude-operations"] =
        [
            ("即时配送", "on-demand delivery"), ("空中游览", "sightseeing flights"), ("通航运营", "general aviation operations"),
            ("飞手培训", "pilot training"), ("运维保障", "maintenance services"), ("起降点网络", "landing site networks"),
            ("运营调度平台", "dispatch platforms"), ("航空保险", "aviation insurance"), ("载客示范航线", "passenger demonstration routes"),
            ("医疗物资运输", "medical supply flights"), ("城市巡查", "urban patrol flights"), ("运营安全管理", "operational safety management"),
            ("商业模式创新", "business model innovation"), ("场景试飞", "use-case trial flights"),
        ],
    };
}
