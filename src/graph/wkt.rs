//! A small WKT reader for `RasterizeWKT`: POLYGON and MULTIPOLYGON (rings of
//! x y pairs), and the even-odd point-in-polygon test used to burn cells.

/// A polygon: exterior ring first, then holes; each ring a list of (x, y).
pub type Polygon = Vec<Vec<(f64, f64)>>;

/// Parses POLYGON / MULTIPOLYGON text (case-insensitive, optional Z ignored).
pub fn parse(text: &str) -> Result<Vec<Polygon>, String> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let (body, multi) = if let Some(rest) = upper.strip_prefix("MULTIPOLYGON") {
        (&t[t.len() - rest.len()..], true)
    } else if let Some(rest) = upper.strip_prefix("POLYGON") {
        (&t[t.len() - rest.len()..], false)
    } else {
        return Err("only POLYGON and MULTIPOLYGON are supported".into());
    };
    let body = body.trim().trim_start_matches(['Z', 'z']).trim();
    let mut p = P {
        s: body.as_bytes(),
        i: 0,
    };
    let out = if multi {
        p.list(|p| p.list(|p| p.ring()))?
    } else {
        vec![p.list(|p| p.ring())?]
    };
    p.ws();
    if p.i != p.s.len() {
        return Err("trailing characters".into());
    }
    if out.iter().any(|poly| poly.iter().any(|r| r.len() < 3)) {
        return Err("a ring needs at least 3 points".into());
    }
    Ok(out)
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        if !self.eat(b'(') {
            return Err(format!("expected '(' at {}", self.i));
        }
        let mut out = vec![item(self)?];
        while self.eat(b',') {
            out.push(item(self)?);
        }
        if !self.eat(b')') {
            return Err(format!("expected ')' at {}", self.i));
        }
        Ok(out)
    }

    fn ring(&mut self) -> Result<Vec<(f64, f64)>, String> {
        self.list(|p| {
            let x = p.number()?;
            let y = p.number()?;
            p.ws();
            // An optional Z coordinate.
            if p.s.get(p.i).is_some_and(|c| *c != b',' && *c != b')') {
                p.number()?;
            }
            Ok((x, y))
        })
    }

    fn number(&mut self) -> Result<f64, String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_digit() || b"+-.eE".contains(&self.s[self.i]))
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            // `1e999` parses to infinity: not a coordinate.
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("expected a finite number at {start}"))
    }
}

/// Even-odd test over all rings of all polygons (holes subtract).
pub fn contains(polygons: &[Polygon], x: f64, y: f64) -> bool {
    polygons.iter().any(|poly| {
        let mut inside = false;
        for ring in poly {
            let n = ring.len();
            let mut j = n - 1;
            for i in 0..n {
                let (xi, yi) = ring[i];
                let (xj, yj) = ring[j];
                if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                    inside = !inside;
                }
                j = i;
            }
        }
        inside
    })
}

/// Bounds [min x, min y, max x, max y] of all vertices.
pub fn bounds(polygons: &[Polygon]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (x, y) in polygons.iter().flatten().flatten() {
        b = [b[0].min(*x), b[1].min(*y), b[2].max(*x), b[3].max(*y)];
    }
    b
}

/// The x ranges inside the polygons along the horizontal line at `y`
/// (even-odd pairs of edge crossings, sorted). GDAL's scanline rasterizer
/// burns a cell whose centre lies in a range, boundaries included.
pub fn crossings(polygons: &[Polygon], y: f64, out: &mut Vec<f64>) {
    out.clear();
    for poly in polygons {
        for ring in poly {
            let n = ring.len();
            for i in 0..n {
                let (x1, y1) = ring[i];
                let (x2, y2) = ring[(i + 1) % n];
                if (y1 <= y && y < y2) || (y2 <= y && y < y1) {
                    out.push(x1 + (y - y1) * (x2 - x1) / (y2 - y1));
                }
            }
        }
    }
    out.sort_by(f64::total_cmp);
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn ring() -> impl Strategy<Value = Vec<(f64, f64)>> {
        proptest::collection::vec((-1e9f64..1e9, -1e9f64..1e9), 3..7)
    }

    fn polygon() -> impl Strategy<Value = Polygon> {
        proptest::collection::vec(ring(), 1..3)
    }

    fn write_polygon(p: &Polygon) -> String {
        let rings: Vec<String> = p
            .iter()
            .map(|r| {
                let pts: Vec<String> = r.iter().map(|(x, y)| format!("{x:?} {y:?}")).collect();
                format!("({})", pts.join(", "))
            })
            .collect();
        format!("({})", rings.join(", "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,64}") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_its_own_alphabet(s in "(MULTI)?POLYGON ?Z?[-+0-9eE.(), ]{0,64}") {
            if let Ok(polys) = parse(&s) {
                // Whatever parses is finite and usable.
                prop_assert!(polys.iter().flatten().flatten().all(|(x, y)| x.is_finite() && y.is_finite()));
                let b = bounds(&polys);
                let _ = contains(&polys, b[0], b[1]);
                let mut out = Vec::new();
                crossings(&polys, (b[1] + b[3]) / 2.0, &mut out);
            }
        }

        #[test]
        fn written_polygons_parse_back(p in polygon()) {
            let text = format!("POLYGON {}", write_polygon(&p));
            prop_assert_eq!(parse(&text), Ok(vec![p.clone()]));
            let lower = format!("multipolygon({})", write_polygon(&p));
            prop_assert_eq!(parse(&lower), Ok(vec![p]));
        }
    }

    #[test]
    fn infinite_coordinates_are_refused() {
        assert!(parse("POLYGON ((0 0, 1e999 0, 1 1, 0 0))").is_err());
    }
}
