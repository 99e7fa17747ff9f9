package demohistory

import "github.com/griddispatch/griddispatch/dispatch"

// The words of generated history: what grid workers wrote when reporting, and what mediators
// noted at each step. A handful per kind, picked at random; the demo needs plausible text, not
// prose.

var historyDescriptions = map[string][]string{
	"marriage_family":   {"夫妻因家庭琐事争吵，女方回娘家，双方老人介入后矛盾升级", "兄弟三人因赡养老人费用分摊发生争执", "婆媳矛盾长期积累，近日发生激烈争吵"},
	"neighbour":         {"两户因排水沟走向发生争执，一方堵塞水沟", "邻居在公共通道堆放柴草，双方发生口角", "楼上漏水至楼下，双方对维修费用有分歧", "相邻两户因院墙高度和滴水问题发生纠纷"},
	"homestead_land":    {"两户因宅基地界址不清发生争执，一方欲建新房", "土地承包经营权流转合同到期，双方对续租价格有争议", "兄弟分家时对老宅宅基地归属有分歧"},
	"forest_water":      {"灌溉用水排序发生争执，上游村民截水", "机井使用费分摊不均，村民之间发生纠纷", "承包林地边界树木归属有争议"},
	"labour_wages":      {"建筑工地农民工反映被拖欠工资，涉及十余人", "务工人员在企业受伤，与企业就赔偿金额协商未果", "临时工反映劳务费结算不清"},
	"property_mgmt":     {"小区业主反映物业公司收费不透明，拒交物业费", "电梯多次故障，业主与物业公司发生纠纷", "小区停车位分配引发业主与物业矛盾"},
	"land_requisition":  {"道路拓宽征地，部分村民对补偿标准有异议", "拆迁安置房分配顺序引发群众不满", "征收范围内地上附着物补偿存在争议"},
	"medical":           {"患者家属对诊所治疗结果有异议，要求赔偿", "村卫生室用药后患者出现不良反应，双方发生争执"},
	"traffic_accident":  {"两辆电动车相撞，双方对责任认定有分歧", "农用车刮蹭行人，就医疗费用协商未果"},
	"consumer_contract": {"村民购买的农资疑似假冒，与经销商协商退赔未果", "装修合同纠纷，施工方中途停工", "预付卡商家关门，多名消费者要求退款"},
	"fire":              {"居民楼道堆放杂物和电动车，存在火灾隐患", "村民私拉电线给电动车充电", "沿街门店违规使用液化气罐"},
	"workplace_safety":  {"小型加工厂未配备消防器材，工人未佩戴防护用品", "建筑工地脚手架搭设不规范", "采砂点边坡有坍塌危险"},
	"unsafe_housing":    {"独居老人居住的土坯房墙体开裂", "连日降雨后一处老旧房屋屋顶漏水、梁木腐朽"},
	"gas":               {"居民反映楼道内有燃气异味", "餐馆燃气软管老化，存在泄漏隐患"},
	"flood":             {"排洪渠被垃圾堵塞，汛期存在内涝风险", "河道护坡出现裂缝，需加固", "低洼处积水较深，影响群众出行"},
	"straw_burning":     {"麦田有焚烧秸秆现象，烟雾较大", "田间地头发现焚烧玉米秸秆火点", "村民在地头焚烧秸秆，已劝阻"},
	"rubbish":           {"村口垃圾堆积多日未清运，气味较大", "小区垃圾桶满溢，周边卫生差", "河道边有人倾倒建筑垃圾"},
	"sewage":            {"生活污水直排入村边沟渠", "小区化粪池外溢，污水漫至路面"},
	"illegal_building":  {"村民在耕地上私自搭建彩钢房", "小区业主在楼顶违规加盖", "沿街商户私自扩建门面占用人行道"},
	"road":              {"村道路面塌陷形成大坑，夜间行车危险", "乡村道路被重车压坏，雨天泥泞难行"},
	"water_main":        {"供水管道破裂，路面大量积水", "自来水停水两天未恢复，群众生活受影响", "入户水管冬季冻裂"},
	"street_light":      {"村内主干道路灯多盏不亮", "小区路灯线路老化，时亮时灭"},
	"heating":           {"供暖季室内温度不达标，多户居民反映", "暖气管道漏水，影响楼下住户"},
	"power":             {"村里频繁停电，影响生产生活", "电线杆倾斜，电线下垂存在安全隐患"},
	"suspicious":        {"有陌生人在村内挨户推销保健品，疑似诈骗", "出租屋人员频繁更换，行迹可疑"},
	"vice":              {"群众反映某棋牌室疑似聚众赌博"},
	"cult":              {"发现有人在村内散发不明宣传材料"},
	"assistance":        {"困难户家中主要劳动力因病致贫，申请低保", "残疾人家庭生活困难，需临时救助"},
	"elderly_care":      {"独居老人无人照料，子女在外务工", "高龄老人需要居家养老服务"},
	"jobs":              {"返乡青年咨询就业岗位和技能培训", "脱贫户家庭劳动力希望就近务工"},
	"insurance":         {"村民反映医保报销比例有疑问", "外出务工人员养老保险转移接续不畅"},
	"petition":          {"群众反映多年前的征地补偿未落实，多次上访", "退役军人反映待遇落实问题", "多户村民联名反映村务公开不到位"},
}

var historyGroupDescriptions = map[string]string{
	"dispute": "群众之间发生纠纷，需调解", "safety": "巡查发现安全隐患", "environment": "巡查发现环境卫生问题",
	"facility": "公共设施损坏，影响群众生活", "order": "巡查发现治安情况", "livelihood": "群众反映民生诉求",
	"petition": "群众反映信访事项",
}

func historyDescription(c dispatch.Category, pick func(int) int) string {
	if list := historyDescriptions[c.Code]; len(list) > 0 {
		return list[pick(len(list))]
	}
	if d, ok := historyGroupDescriptions[c.Group]; ok {
		return d
	}
	return "网格员巡查发现：" + c.NameZH
}

// The reason written when a grid worker handled a report on the spot (the intake's own words)
// and the note the phone sent with it.
const historyOnSpotReason = "handled on the spot"

var historyOnSpotNotes = []string{"已当场劝解，双方握手言和", "已现场处置完毕", "已督促当事人整改到位",
	"已联系相关人员现场处理", "现场劝阻，火已扑灭", "已清理完毕", ""}

var historyMediateNotes = map[string][]string{
	"dispute":  {"召集双方当事人面对面调解，初步达成意向", "走访双方了解情况，讲解相关法律政策", "联合司法所、派出所开展联合调解", "组织村两委和乡贤参与调解"},
	"petition": {"约谈信访人，听取诉求并做好记录", "调阅历史档案，核实信访事项", "召开联席会议研究处理意见"},
	"other":    {"已通知相关单位现场查看", "协调责任单位制定处置方案", "组织人员现场处置", "已联系产权单位维修"},
}

var historyParties = []string{"", "", "双方当事人、村调解员", "双方当事人、司法所工作人员", "当事人及家属、网格员", "相关企业负责人、劳动保障所"}

var historySettleNotes = map[dispatch.Outcome][]string{
	dispatch.OutcomeMediated:  {"双方达成调解协议，当场履行", "签订书面调解协议", "双方互相谅解，纠纷化解"},
	dispatch.OutcomeHandled:   {"隐患已整改完毕", "问题已处置，现场恢复正常", "已维修完成并验收", "已落实帮扶措施"},
	dispatch.OutcomeUnsettled: {"调解不成，已引导当事人通过诉讼途径解决", "双方分歧较大，已告知法律途径", "暂不具备处理条件，已向当事人解释"},
}

var historyEscalateReasons = []string{"涉及多个部门，需上级协调", "双方分歧较大，本级调解未果", "涉及金额较大，超出本级调处能力",
	"需专业部门介入处置", "群众情绪激烈，需提级化解"}

var historyReturnReasons = []string{"请村里先核实情况并组织调解", "属村级事项，请村调解室先行处理", "请网格员和村调解员配合摸清底数"}

const historyTransferReason = "当事人住邻村，改派邻村调解室"

var historyReworkReasons = []string{"协议未履行，问题依旧", "现场核查发现整改不到位", "群众反映问题未解决"}

var historyUrgeReasons = []string{"请抓紧办理，按期办结", "该件已逾期，请说明原因并尽快办结", "群众多次反映，请加快进度"}
