package grid

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/geo"
)

// The demo is Yuncheng city (运城市), Shanxi: real names and codes of its counties,
// townships and villages (demodata/SOURCE.md), with generated polygons, populations and
// members. Generation is deterministic: the same seed gives the same city, and one county
// loaded alone is identical to that county in the whole city.

//go:embed demodata/yuncheng.csv
var yunchengCSV []byte

// DemoSeed is the seed the product's demo uses unless told otherwise.
const DemoSeed uint64 = 1408

// demoCountySeats are the approximate seats of Yuncheng's counties (longitude, latitude), so
// that the generated counties lie roughly where the real ones do.
var demoCountySeats = map[string]orb.Point{
	"140802": {110.998, 35.015}, // 盐湖区
	"140821": {110.774, 35.144}, // 临猗县
	"140822": {110.838, 35.415}, // 万荣县
	"140823": {111.224, 35.357}, // 闻喜县
	"140824": {110.983, 35.604}, // 稷山县
	"140825": {111.225, 35.616}, // 新绛县
	"140826": {111.568, 35.491}, // 绛县
	"140827": {111.670, 35.297}, // 垣曲县
	"140828": {111.220, 35.141}, // 夏县
	"140829": {111.217, 34.829}, // 平陆县
	"140830": {110.694, 34.694}, // 芮城县
	"140881": {110.448, 34.867}, // 永济市
	"140882": {110.712, 35.597}, // 河津市
}

// demoCityCentre and the outline's radii give a city of roughly Yuncheng's extent.
var demoCityCentre = orb.Point{111.05, 35.2}

type demoPlace struct{ code, name string }

// demoDivisions are the real places of the demo city, by level and parent.
type demoDivisions struct {
	counties  []demoPlace
	children  map[string][]demoPlace // township and village lists by parent code
	countyIdx map[string]int
}

func readDemoDivisions() (demoDivisions, error) {
	records, err := csv.NewReader(bytes.NewReader(yunchengCSV)).ReadAll()
	if err != nil {
		return demoDivisions{}, fmt.Errorf("demo data: %w", err)
	}
	d := demoDivisions{children: map[string][]demoPlace{}, countyIdx: map[string]int{}}
	for _, r := range records[1:] {
		p := demoPlace{code: r[0], name: r[1]}
		switch LevelOfCode(p.code) {
		case County:
			d.countyIdx[p.code] = len(d.counties)
			d.counties = append(d.counties, p)
		case Township:
			d.children[p.code[:6]] = append(d.children[p.code[:6]], p)
		case Village:
			d.children[p.code[:9]] = append(d.children[p.code[:9]], p)
		default:
			return demoDivisions{}, fmt.Errorf("demo data: code %q has no level", p.code)
		}
	}
	return d, nil
}

// DemoCounties lists the codes of the demo city's counties.
func DemoCounties() ([]string, error) {
	d, err := readDemoDivisions()
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(d.counties))
	for i, c := range d.counties {
		codes[i] = c.code
	}
	return codes, nil
}

// Demo is one generated county: its units, parents before children, and its staff.
type Demo struct {
	Units []Unit
	Staff []DemoStaff
}

// DemoStaff is a generated member with one assignment.
type DemoStaff struct {
	Phone, Name, UnitCode string
	Role                  Role
}

// GenerateDemo builds one county of the demo city.
func GenerateDemo(countyCode string, seed uint64) (Demo, error) {
	d, err := readDemoDivisions()
	if err != nil {
		return Demo{}, err
	}
	ci, ok := d.countyIdx[countyCode]
	if !ok {
		return Demo{}, fmt.Errorf("%w: %s is not a county of the demo city", ErrNotFound, countyCode)
	}
	outline := geo.ConvexOutline(demoCityCentre, 70, 85, 28, rand.New(rand.NewPCG(seed, 0)))
	seats := make([]orb.Point, len(d.counties))
	for i, c := range d.counties {
		seats[i] = demoCountySeats[c.code]
	}
	cell := geo.VoronoiCells(outline, seats)[ci]
	if len(cell) == 0 {
		return Demo{}, fmt.Errorf("demo: county %s lies outside the city outline", countyCode)
	}
	g := &demoGenerator{
		d:     d,
		rng:   rand.New(rand.NewPCG(seed, hashCode(countyCode))),
		phone: 139_00_000000 + int64(ci+1)*1_000_000,
	}
	county := d.counties[ci]
	g.unit(county.code, "", County, county.name, cell)
	g.townships(county.code, cell)
	g.sumPopulation()
	return g.demo, nil
}

type demoGenerator struct {
	d     demoDivisions
	rng   *rand.Rand
	demo  Demo
	phone int64 // the next phone number, counted within the county's own range
}

func (g *demoGenerator) townships(countyCode string, cell orb.Ring) {
	towns := g.d.children[countyCode]
	g.staff(countyCode, RoleMediator, 3)
	g.staff(countyCode, RoleSupervisor, 2)
	g.staff(countyCode, RoleAdmin, 1)
	for i, tc := range geo.Subdivide(cell, len(towns), 2, g.rng) {
		t := towns[i]
		g.unit(t.code, countyCode, Township, t.name, tc)
		g.staff(t.code, RoleMediator, 2)
		g.staff(t.code, RoleSupervisor, 1)
		g.villages(t.code, tc)
	}
}

func (g *demoGenerator) villages(townCode string, cell orb.Ring) {
	villages := g.d.children[townCode]
	for i, vc := range geo.Subdivide(cell, len(villages), 2, g.rng) {
		v := villages[i]
		g.unit(v.code, townCode, Village, v.name, vc)
		g.staff(v.code, RoleMediator, 1)
		community := strings.Contains(v.name, "社区") || strings.HasSuffix(v.name, "居委会")
		if i%10 == 9 && !community {
			// Every tenth village has no mediation room: its cases start at the township. Its
			// mediator is still drawn, so every later phone number and name stays as it was.
			g.demo.Units[len(g.demo.Units)-1].NoCentre = true
			g.demo.Staff = g.demo.Staff[:len(g.demo.Staff)-1]
		}
		g.grids(v.code, shortVillageName(v.name), community, vc)
	}
}

func (g *demoGenerator) grids(villageCode, villageName string, community bool, cell orb.Ring) {
	for i, gc := range geo.Subdivide(cell, 4+g.rng.IntN(5), 2, g.rng) {
		code := fmt.Sprintf("%s%03d", villageCode, i+1)
		name := fmt.Sprintf("%s第%d网格", villageName, i+1)
		g.unit(code, villageCode, Grid, name, gc)
		g.staff(code, RoleGridLeader, 1)
		g.staff(code, RoleGridWorker, 1+boolInt(i%3 == 2))
		for j, mc := range geo.Subdivide(gc, 4+g.rng.IntN(9), 1, g.rng) {
			mcode := fmt.Sprintf("%s%03d", code, j+1)
			g.unit(mcode, code, MicroGrid, fmt.Sprintf("%s第%d微网格", name, j+1), mc)
			g.staff(mcode, RoleInfoOfficer, 1)
			u := &g.demo.Units[len(g.demo.Units)-1]
			households := 8 + g.rng.IntN(25)
			if community {
				households = 30 + g.rng.IntN(90) // apartment buildings
			}
			population := households * (25 + g.rng.IntN(9)) / 10
			u.Households, u.Population = &households, &population
		}
	}
}

func (g *demoGenerator) unit(code, parent string, level Level, name string, ring orb.Ring) {
	g.demo.Units = append(g.demo.Units, Unit{Code: code, ParentCode: parent, Level: level, Name: name,
		Geom: orb.MultiPolygon{orb.Polygon{ring}}})
}

func (g *demoGenerator) staff(unitCode string, role Role, n int) {
	for range n {
		g.demo.Staff = append(g.demo.Staff, DemoStaff{Phone: fmt.Sprint(g.phone), Name: g.personName(),
			UnitCode: unitCode, Role: role})
		g.phone++
	}
}

// sumPopulation fills every unit's population and households from its micro-grids.
func (g *demoGenerator) sumPopulation() {
	idx := make(map[string]int, len(g.demo.Units))
	for i, u := range g.demo.Units {
		idx[u.Code] = i
	}
	// Children follow their parents, so walking backwards adds each unit after its subtree.
	for i := len(g.demo.Units) - 1; i >= 0; i-- {
		u := g.demo.Units[i]
		if u.ParentCode == "" || u.Population == nil {
			continue
		}
		p := &g.demo.Units[idx[u.ParentCode]]
		if p.Population == nil {
			p.Population, p.Households = new(int), new(int)
		}
		*p.Population += *u.Population
		*p.Households += *u.Households
	}
}

var (
	demoSurnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
	demoGiven    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玉兰志文斌海燕鹏宇晨浩婷雪琳鑫波辉晓东亮春林")
)

func (g *demoGenerator) personName() string {
	name := []rune{demoSurnames[g.rng.IntN(len(demoSurnames))], demoGiven[g.rng.IntN(len(demoGiven))]}
	if g.rng.IntN(3) > 0 {
		name = append(name, demoGiven[g.rng.IntN(len(demoGiven))])
	}
	return string(name)
}

// shortVillageName turns the committee's name into the place's: 东阜村委会 -> 东阜村,
// 中央城社区居委会 -> 中央城社区.
func shortVillageName(name string) string {
	switch {
	case strings.HasSuffix(name, "社区居委会"):
		return strings.TrimSuffix(name, "居委会")
	case strings.HasSuffix(name, "委会"):
		return strings.TrimSuffix(name, "委会")
	}
	return name
}

func hashCode(code string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(code))
	return h.Sum64()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
