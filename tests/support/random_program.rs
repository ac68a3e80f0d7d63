//! Random programs and random edits of them, for `tests/random_edits.rs`: a small
//! expression language rendered as F# or C#, so that one seed gives a sequence of
//! versions of one program whose edits cover what the compilers generate code for
//! (closures, lambdas, pattern variables, `match`/`switch`, format strings, calls,
//! module values and static fields) and what moves generated names around (inserted
//! lines, added functions). Every program is deterministic: `Run` returns the results
//! of every function on fixed inputs, so a fresh run of a version is its expected value.
//! `Run` also keeps the closures `g{i} 3` makes from the first call on and calls them
//! each time: closures made before an update must run the updated code as if made by it.

use std::fmt::Write as _;

/// SplitMix64: small, seedable and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn literal(&mut self) -> i64 {
        self.below(109) as i64 - 9
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Language {
    FSharp,
    CSharp,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Language::FSharp => "fsharp",
            Language::CSharp => "csharp",
        }
    }

    pub fn source_file(self) -> &'static str {
        match self {
            Language::FSharp => "Program.fs",
            Language::CSharp => "Program.cs",
        }
    }
}

const WORDS: &[&str] = &["a", "bc", "def", "ghij", "klmno", "pq", "rstuvw", "xyz!"];

#[derive(Clone, Debug)]
enum Expr {
    Int(i64),
    Var(String),
    /// `+`, `-` or `*`.
    Binary(char, Box<Expr>, Box<Expr>),
    /// `if a > b then c else d`.
    If(Box<[Expr; 4]>),
    /// `let name = value in body` (C#: `value is var name ? body : 0`).
    Let(String, Box<Expr>, Box<Expr>),
    /// The sum of a lambda `param -> body` mapped over `items`: a closure.
    MapSum(String, Box<Expr>, Vec<Expr>),
    /// A three-way `match`/`switch` on the scrutinee modulo 3.
    Match(Box<Expr>, Box<[Expr; 3]>),
    /// The length of a formatted string: a word then the value.
    FormatLength(String, Box<Expr>),
    /// A call of an earlier function.
    Call(usize, Box<Expr>),
    /// A module value (F#) or static readonly field (C#).
    Static(usize),
    /// A lambda `param -> body` applied at once to the argument.
    Apply(String, Box<Expr>, Box<Expr>),
    /// A left fold (`+`) of `param -> body` over a sequence (F#: `seq { for .. -> }`,
    /// a state machine; C#: LINQ `Select`/`Aggregate`, generic instantiations).
    Fold(String, Box<Expr>, Vec<Expr>),
    /// The result of a task that returns the value (an async state machine).
    Async(Box<Expr>),
    /// `let (first, second) = (a, b) in body`: a tuple taken apart.
    Tuple(String, String, Box<[Expr; 3]>),
    /// A record of type `R{type}` made from two values and named, then its fields
    /// combined.
    Record(usize, String, Box<[Expr; 2]>),
}

/// What one edit did, so the test knows which outcomes it may accept.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EditKind {
    /// One literal inside a function body changed: must always apply.
    Literal,
    /// One subexpression of a function body regenerated (closures, calls, strings may
    /// come and go).
    Subtree,
    /// A function added and called from `Run`.
    AddFunction,
    /// A module value / static field added and used by a function.
    AddStatic,
    /// A literal of a module value's / static field's initializer changed.
    EditStatic,
    /// A comment line inserted at the top and a literal changed below it.
    Shift,
    /// A record type added and used by a function.
    AddType,
    /// The last function removed (when no other function calls it).
    DeleteFunction,
    /// A function returning a closure added; `Run` keeps what it returns.
    AddClosure,
}

impl EditKind {
    pub fn name(self) -> &'static str {
        match self {
            EditKind::Literal => "literal",
            EditKind::Subtree => "subtree",
            EditKind::AddFunction => "add-function",
            EditKind::AddStatic => "add-static",
            EditKind::EditStatic => "edit-static",
            EditKind::Shift => "shift",
            EditKind::AddType => "add-type",
            EditKind::DeleteFunction => "delete-function",
            EditKind::AddClosure => "add-closure",
        }
    }
}

#[derive(Clone)]
pub struct Program {
    language: Language,
    /// `f{i} x = functions[i]`; a function calls only functions before it.
    functions: Vec<Expr>,
    /// `g{i} c = fun v -> closures[i]`, kept by `Run`; they may call every function.
    closures: Vec<Expr>,
    /// `k{i} = statics[i]`: literals and arithmetic only (no calls, no statics).
    statics: Vec<Expr>,
    /// Comment lines above the declarations.
    shifts: usize,
    /// Record types `r{i}` with two int fields.
    records: usize,
    /// Source of fresh variable names, unique in the program.
    names: usize,
}

const INPUTS: [i64; 3] = [1, -3, 7];

impl Program {
    pub fn random(language: Language, rng: &mut Rng) -> Program {
        let mut p = Program {
            language,
            functions: Vec::new(),
            closures: Vec::new(),
            statics: Vec::new(),
            shifts: 0,
            records: 0,
            names: 0,
        };
        for _ in 0..2 + rng.below(3) {
            p.add_function(rng);
        }
        for _ in 0..1 + rng.below(2) {
            p.add_closure(rng);
        }
        p
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.names += 1;
        format!("{stem}{}", self.names)
    }

    fn add_closure(&mut self, rng: &mut Rng) {
        let (scope, calls) = self.scope_of(self.functions.len() + self.closures.len());
        let body = self.expr(rng, 3, &scope, calls);
        self.closures.push(body);
    }

    /// The variables in scope at the top of body `i` (functions, then closures) and
    /// how many functions it may call.
    fn scope_of(&self, i: usize) -> (Vec<String>, Option<usize>) {
        match i < self.functions.len() {
            true => (vec!["x".to_string()], Some(i)),
            false => (vec!["c".to_string(), "v".to_string()], Some(self.functions.len())),
        }
    }

    fn body_count(&self) -> usize {
        self.functions.len() + self.closures.len()
    }

    fn body_mut(&mut self, i: usize) -> &mut Expr {
        match i < self.functions.len() {
            true => &mut self.functions[i],
            false => &mut self.closures[i - self.functions.len()],
        }
    }

    fn add_function(&mut self, rng: &mut Rng) {
        let index = self.functions.len();
        let body = self.expr(rng, 3, &["x".to_string()], Some(index));
        self.functions.push(body);
    }

    /// A random expression of at most `depth` levels over `scope`; `function` is the
    /// index of the function it is in (calls go to earlier ones), `None` in a static's
    /// initializer.
    fn expr(&mut self, rng: &mut Rng, depth: usize, scope: &[String], function: Option<usize>) -> Expr {
        let leaf = |p: &mut Program, rng: &mut Rng| -> Expr {
            match rng.below(4) {
                0 | 1 if !scope.is_empty() => Expr::Var(rng.pick(scope).clone()),
                2 if function.is_some() && !p.statics.is_empty() => Expr::Static(rng.below(p.statics.len())),
                _ => Expr::Int(rng.literal()),
            }
        };
        if depth == 0 {
            return leaf(self, rng);
        }
        let sub = |p: &mut Program, rng: &mut Rng, scope: &[String]| p.expr(rng, depth - 1, scope, function);
        match rng.below(20) {
            0..=2 => leaf(self, rng),
            3..=5 => {
                let op = *rng.pick(&['+', '-', '*']);
                Expr::Binary(op, Box::new(sub(self, rng, scope)), Box::new(sub(self, rng, scope)))
            }
            6 => Expr::If(Box::new([
                sub(self, rng, scope),
                sub(self, rng, scope),
                sub(self, rng, scope),
                sub(self, rng, scope),
            ])),
            7 => {
                let name = self.fresh("a");
                let value = sub(self, rng, scope);
                let inner: Vec<String> = scope.iter().cloned().chain([name.clone()]).collect();
                Expr::Let(name, Box::new(value), Box::new(sub(self, rng, &inner)))
            }
            8 => {
                let param = self.fresh("v");
                let inner: Vec<String> = scope.iter().cloned().chain([param.clone()]).collect();
                let body = sub(self, rng, &inner);
                let items = (0..1 + rng.below(3)).map(|_| leaf(self, rng)).collect();
                Expr::MapSum(param, Box::new(body), items)
            }
            9 => Expr::Match(
                Box::new(sub(self, rng, scope)),
                Box::new([sub(self, rng, scope), sub(self, rng, scope), sub(self, rng, scope)]),
            ),
            10 => Expr::FormatLength(rng.pick(WORDS).to_string(), Box::new(sub(self, rng, scope))),
            11 | 12 if function.is_some_and(|f| f > 0) => {
                let callee = rng.below(function.unwrap());
                Expr::Call(callee, Box::new(sub(self, rng, scope)))
            }
            13 => {
                let param = self.fresh("v");
                let inner: Vec<String> = scope.iter().cloned().chain([param.clone()]).collect();
                let body = sub(self, rng, &inner);
                Expr::Apply(param, Box::new(body), Box::new(sub(self, rng, scope)))
            }
            14 => {
                let param = self.fresh("v");
                let inner: Vec<String> = scope.iter().cloned().chain([param.clone()]).collect();
                let body = sub(self, rng, &inner);
                let items = (0..1 + rng.below(3)).map(|_| leaf(self, rng)).collect();
                Expr::Fold(param, Box::new(body), items)
            }
            15 => Expr::Async(Box::new(sub(self, rng, scope))),
            16 => {
                let (first, second) = (self.fresh("p"), self.fresh("q"));
                let (a, b) = (sub(self, rng, scope), sub(self, rng, scope));
                let inner: Vec<String> = scope.iter().cloned().chain([first.clone(), second.clone()]).collect();
                Expr::Tuple(first, second, Box::new([a, b, sub(self, rng, &inner)]))
            }
            17 if self.records > 0 => {
                let record = rng.below(self.records);
                let name = self.fresh("r");
                Expr::Record(record, name, Box::new([sub(self, rng, scope), sub(self, rng, scope)]))
            }
            _ => leaf(self, rng),
        }
    }

    /// Applies one random edit and says which kind it was.
    pub fn edit(&mut self, rng: &mut Rng) -> EditKind {
        let roll = rng.below(100);
        let kind = match roll {
            0..=31 => EditKind::Literal,
            32..=59 => EditKind::Subtree,
            60..=67 => EditKind::AddFunction,
            68..=73 => EditKind::AddStatic,
            74..=79 if !self.statics.is_empty() => EditKind::EditStatic,
            80..=85 => EditKind::AddType,
            86..=90 if self.last_function_unused() => EditKind::DeleteFunction,
            91..=94 => EditKind::AddClosure,
            _ => EditKind::Shift,
        };
        match kind {
            EditKind::Literal | EditKind::Shift => {
                if kind == EditKind::Shift {
                    self.shifts += 1;
                }
                if !self.change_literal(rng) {
                    self.replace_subtree(rng);
                    return EditKind::Subtree;
                }
            }
            EditKind::Subtree => self.replace_subtree(rng),
            EditKind::AddFunction => self.add_function(rng),
            EditKind::AddType => {
                self.records += 1;
                let f = rng.below(self.functions.len());
                let name = self.fresh("r");
                let fields = [Expr::Var("x".into()), Expr::Int(rng.literal())];
                let use_it = Expr::Record(self.records - 1, name, Box::new(fields));
                let body = std::mem::replace(&mut self.functions[f], Expr::Int(0));
                self.functions[f] = Expr::Binary('-', Box::new(body), Box::new(use_it));
            }
            EditKind::DeleteFunction => {
                self.functions.pop();
            }
            EditKind::AddClosure => self.add_closure(rng),
            EditKind::AddStatic => {
                let init = self.expr(rng, 2, &[], None);
                self.statics.push(init);
                let k = self.statics.len() - 1;
                let f = rng.below(self.functions.len());
                let body = std::mem::replace(&mut self.functions[f], Expr::Int(0));
                self.functions[f] = Expr::Binary('+', Box::new(body), Box::new(Expr::Static(k)));
            }
            EditKind::EditStatic => {
                let k = rng.below(self.statics.len());
                let mut literals = Vec::new();
                collect_literals(&self.statics[k], &mut literals);
                let target = rng.below(literals.len().max(1));
                if literals.is_empty() {
                    let init = std::mem::replace(&mut self.statics[k], Expr::Int(0));
                    self.statics[k] = Expr::Binary('+', Box::new(init), Box::new(Expr::Int(1 + rng.literal().abs())));
                } else {
                    change_nth_literal(&mut self.statics[k], target, rng);
                }
            }
        }
        kind
    }

    /// Whether the last function can go: there is another one, and no function calls it.
    fn last_function_unused(&self) -> bool {
        let last = self.functions.len() - 1;
        fn calls(e: &Expr, f: usize) -> bool {
            matches!(e, Expr::Call(g, _) if *g == f) || children(e).into_iter().any(|c| calls(c, f))
        }
        last > 0 && !self.functions[..last].iter().chain(&self.closures).any(|body| calls(body, last))
    }

    /// Changes one int or string literal of a function's or closure's body; false when
    /// there is none.
    fn change_literal(&mut self, rng: &mut Rng) -> bool {
        let counts: Vec<usize> = self
            .functions
            .iter()
            .chain(&self.closures)
            .map(|f| {
                let mut l = Vec::new();
                collect_literals(f, &mut l);
                l.len()
            })
            .collect();
        let total: usize = counts.iter().sum();
        if total == 0 {
            return false;
        }
        let mut target = rng.below(total);
        for (f, &count) in counts.iter().enumerate() {
            if target < count {
                change_nth_literal(self.body_mut(f), target, rng);
                return true;
            }
            target -= count;
        }
        unreachable!("target below the total")
    }

    fn replace_subtree(&mut self, rng: &mut Rng) {
        let f = rng.below(self.body_count());
        let (mut scope, calls) = self.scope_of(f);
        let mut body = std::mem::replace(self.body_mut(f), Expr::Int(0));
        let nodes = count_nodes(&body);
        let target = rng.below(nodes);
        let mut seen = 0;
        replace_nth(&mut body, target, &mut seen, &mut scope, &mut |scope: &[String]| self.expr(rng, 2, scope, calls));
        *self.body_mut(f) = body;
    }

    /// The program's source text.
    pub fn render(&self) -> String {
        match self.language {
            Language::FSharp => self.render_fsharp(),
            Language::CSharp => self.render_csharp(),
        }
    }

    fn render_fsharp(&self) -> String {
        let mut s = String::from("module App.Program\n");
        for n in 0..self.shifts {
            let _ = writeln!(s, "// inserted line {}", n + 1);
        }
        s.push('\n');
        for r in 0..self.records {
            let _ = writeln!(s, "type R{r} = {{ A{r}: int; B{r}: int }}\n");
        }
        for (k, init) in self.statics.iter().enumerate() {
            let _ = writeln!(s, "let k{k} : int = {}\n", fsharp(init));
        }
        for (i, body) in self.functions.iter().enumerate() {
            let _ = writeln!(s, "let f{i} (x: int) : int =\n    {}\n", fsharp(body));
        }
        for (i, body) in self.closures.iter().enumerate() {
            let _ =
                writeln!(s, "let g{i} (c: int) : int -> int =\n    let h = fun (v: int) -> {}\n    h\n", fsharp(body));
        }
        s.push_str("let mutable kept : (int -> int) list = []\n\n");
        s.push_str("let make (i: int) : int -> int =\n    match i with\n");
        for i in 0..self.closures.len() {
            let _ = writeln!(s, "    | {i} -> g{i} 3");
        }
        s.push_str("    | _ -> id\n\n");
        let calls: Vec<String> = (0..self.functions.len())
            .flat_map(|i| INPUTS.iter().map(move |n| format!("string (f{i} ({n}))")))
            .chain((0..self.closures.len()).map(|i| format!("string ((List.item {i} kept) 2)")))
            .collect();
        let _ = writeln!(
            s,
            "let Run () : string =\n    while List.length kept < {} do\n        kept <- kept @ [ make (List.length kept) ]\n    String.concat \" \" [ {} ]",
            self.closures.len(),
            calls.join("; ")
        );
        s
    }

    fn render_csharp(&self) -> String {
        let mut s =
            String::from("using System;\nusing System.Linq;\nusing System.Threading.Tasks;\n\nnamespace App\n{\n");
        for n in 0..self.shifts {
            let _ = writeln!(s, "    // inserted line {}", n + 1);
        }
        for r in 0..self.records {
            let _ = writeln!(s, "    public record R{r}(int A, int B);\n");
        }
        s.push_str("    public static class Program\n    {\n");
        for (k, init) in self.statics.iter().enumerate() {
            let _ = writeln!(s, "        static readonly int K{k} = unchecked({});\n", csharp(init));
        }
        for (i, body) in self.functions.iter().enumerate() {
            let _ = writeln!(s, "        static int F{i}(int x) => unchecked({});\n", csharp(body));
        }
        for (i, body) in self.closures.iter().enumerate() {
            let _ = writeln!(s, "        static Func<int, int> G{i}(int c) => v => unchecked({});\n", csharp(body));
        }
        s.push_str("        static System.Collections.Generic.List<Func<int, int>> Kept;\n\n");
        let arms: String = (0..self.closures.len()).map(|i| format!("{i} => G{i}(3), ")).collect();
        let _ = writeln!(s, "        static Func<int, int> Make(int i) => i switch {{ {arms}_ => null }};\n");
        s.push_str(
            "        static int Sum(int[] xs) { int s = 0; foreach (int t in xs) s = unchecked(s + t); return s; }\n\n",
        );
        s.push_str(
            "        static int[] Map(int[] xs, Func<int, int> f) { var r = new int[xs.Length]; \
             for (int i = 0; i < xs.Length; i++) r[i] = f(xs[i]); return r; }\n\n",
        );
        let calls: Vec<String> = (0..self.functions.len())
            .flat_map(|i| INPUTS.iter().map(move |n| format!("F{i}({n})")))
            .chain((0..self.closures.len()).map(|i| format!("Kept[{i}](2)")))
            .collect();
        let _ = writeln!(
            s,
            "        public static string Run()\n        {{\n            Kept ??= new System.Collections.Generic.List<Func<int, int>>();\n            while (Kept.Count < {}) Kept.Add(Make(Kept.Count));\n            return string.Join(\" \", new[] {{ {} }});\n        }}",
            self.closures.len(),
            calls.join(", ")
        );
        s.push_str("    }\n}\n");
        s
    }
}

fn collect_literals<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    if matches!(e, Expr::Int(_) | Expr::FormatLength(..)) {
        out.push(e);
    }
    for c in children(e) {
        collect_literals(c, out);
    }
}

/// Changes the `n`th literal (pre-order, as `collect_literals` counts) to another value.
fn change_nth_literal(e: &mut Expr, n: usize, rng: &mut Rng) {
    let mut seen = 0;
    fn walk(e: &mut Expr, n: usize, seen: &mut usize, rng: &mut Rng) -> bool {
        let literal = matches!(e, Expr::Int(_) | Expr::FormatLength(..));
        match e {
            _ if literal && *seen < n => *seen += 1,
            Expr::Int(v) => {
                let old = *v;
                while *v == old {
                    *v = rng.literal();
                }
                return true;
            }
            Expr::FormatLength(word, _) => {
                let old = word.clone();
                // A word of another length, so the value changes.
                while word.len() == old.len() {
                    *word = rng.pick(WORDS).to_string();
                }
                return true;
            }
            _ => {}
        }
        children_mut(e).into_iter().any(|c| walk(c, n, seen, rng))
    }
    walk(e, n, &mut seen, rng);
}

fn count_nodes(e: &Expr) -> usize {
    1 + children(e).into_iter().map(count_nodes).sum::<usize>()
}

/// Replaces the `target`th node (pre-order) with what `make` builds for its scope.
fn replace_nth(
    e: &mut Expr,
    target: usize,
    seen: &mut usize,
    scope: &mut Vec<String>,
    make: &mut dyn FnMut(&[String]) -> Expr,
) -> bool {
    if *seen == target {
        *e = make(scope);
        return true;
    }
    *seen += 1;
    match e {
        Expr::Let(name, value, body) => {
            if replace_nth(value, target, seen, scope, make) {
                return true;
            }
            scope.push(name.clone());
            let done = replace_nth(body, target, seen, scope, make);
            scope.pop();
            done
        }
        Expr::MapSum(param, body, items) | Expr::Fold(param, body, items) => {
            scope.push(param.clone());
            let done = replace_nth(body, target, seen, scope, make);
            scope.pop();
            done || items.iter_mut().any(|i| replace_nth(i, target, seen, scope, make))
        }
        Expr::Apply(param, body, argument) => {
            scope.push(param.clone());
            let done = replace_nth(body, target, seen, scope, make);
            scope.pop();
            done || replace_nth(argument, target, seen, scope, make)
        }
        Expr::Tuple(first, second, parts) => {
            let [a, b, body] = &mut **parts;
            if replace_nth(a, target, seen, scope, make) || replace_nth(b, target, seen, scope, make) {
                return true;
            }
            scope.push(first.clone());
            scope.push(second.clone());
            let done = replace_nth(body, target, seen, scope, make);
            scope.truncate(scope.len() - 2);
            done
        }
        _ => children_mut(e).into_iter().any(|c| replace_nth(c, target, seen, scope, make)),
    }
}

/// The children in the order `replace_nth` and the renderers visit them.
fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Int(_) | Expr::Var(_) | Expr::Static(_) => vec![],
        Expr::Binary(_, a, b) | Expr::Let(_, a, b) => vec![a, b],
        Expr::If(parts) => parts.iter().collect(),
        Expr::MapSum(_, body, items) | Expr::Fold(_, body, items) => {
            std::iter::once(&**body).chain(items.iter()).collect()
        }
        Expr::Match(on, arms) => std::iter::once(&**on).chain(arms.iter()).collect(),
        Expr::FormatLength(_, value) | Expr::Call(_, value) | Expr::Async(value) => vec![value],
        Expr::Apply(_, body, argument) => vec![body, argument],
        Expr::Tuple(_, _, parts) => parts.iter().collect(),
        Expr::Record(_, _, parts) => parts.iter().collect(),
    }
}

fn children_mut(e: &mut Expr) -> Vec<&mut Expr> {
    match e {
        Expr::Int(_) | Expr::Var(_) | Expr::Static(_) => vec![],
        Expr::Binary(_, a, b) | Expr::Let(_, a, b) => vec![a, b],
        Expr::If(parts) => parts.iter_mut().collect(),
        Expr::MapSum(_, body, items) | Expr::Fold(_, body, items) => {
            std::iter::once(&mut **body).chain(items.iter_mut()).collect()
        }
        Expr::Match(on, arms) => std::iter::once(&mut **on).chain(arms.iter_mut()).collect(),
        Expr::FormatLength(_, value) | Expr::Call(_, value) | Expr::Async(value) => vec![value],
        Expr::Apply(_, body, argument) => vec![body, argument],
        Expr::Tuple(_, _, parts) => parts.iter_mut().collect(),
        Expr::Record(_, _, parts) => parts.iter_mut().collect(),
    }
}

fn fsharp(e: &Expr) -> String {
    match e {
        Expr::Int(v) => format!("({v})"),
        Expr::Var(name) => name.clone(),
        Expr::Binary(op, a, b) => format!("({} {op} {})", fsharp(a), fsharp(b)),
        Expr::If(p) => {
            format!("(if {} > {} then {} else {})", fsharp(&p[0]), fsharp(&p[1]), fsharp(&p[2]), fsharp(&p[3]))
        }
        Expr::Let(name, value, body) => format!("(let {name} = {} in {})", fsharp(value), fsharp(body)),
        Expr::MapSum(param, body, items) => {
            let items: Vec<String> = items.iter().map(fsharp).collect();
            format!("(List.sum (List.map (fun {param} -> {}) [ {} ]))", fsharp(body), items.join("; "))
        }
        Expr::Match(on, arms) => format!(
            "(match (({} % 3) + 3) % 3 with | 0 -> {} | 1 -> {} | _ -> {})",
            fsharp(on),
            fsharp(&arms[0]),
            fsharp(&arms[1]),
            fsharp(&arms[2])
        ),
        Expr::FormatLength(word, value) => format!("(String.length (sprintf \"%s%d\" \"{word}\" {}))", fsharp(value)),
        Expr::Call(f, arg) => format!("(f{f} {})", fsharp(arg)),
        Expr::Static(k) => format!("k{k}"),
        Expr::Apply(param, body, argument) => {
            format!("((fun ({param}: int) -> {}) {})", fsharp(body), fsharp(argument))
        }
        Expr::Fold(param, body, items) => {
            let items: Vec<String> = items.iter().map(fsharp).collect();
            format!("(Seq.fold (+) 0 (seq {{ for {param} in [ {} ] -> {} }}))", items.join("; "), fsharp(body))
        }
        Expr::Async(value) => format!("((task {{ return {} }}).Result)", fsharp(value)),
        Expr::Tuple(first, second, p) => {
            format!("(let ({first}, {second}) = ({}, {}) in {})", fsharp(&p[0]), fsharp(&p[1]), fsharp(&p[2]))
        }
        Expr::Record(r, name, p) => format!(
            "(let {name} = {{ A{r} = {}; B{r} = {} }} in {name}.A{r} * 3 + {name}.B{r})",
            fsharp(&p[0]),
            fsharp(&p[1])
        ),
    }
}

fn csharp(e: &Expr) -> String {
    match e {
        Expr::Int(v) => format!("({v})"),
        Expr::Var(name) => name.clone(),
        Expr::Binary(op, a, b) => format!("({} {op} {})", csharp(a), csharp(b)),
        Expr::If(p) => format!("({} > {} ? {} : {})", csharp(&p[0]), csharp(&p[1]), csharp(&p[2]), csharp(&p[3])),
        Expr::Let(name, value, body) => format!("({} is var {name} ? {} : 0)", csharp(value), csharp(body)),
        Expr::MapSum(param, body, items) => {
            let items: Vec<String> = items.iter().map(csharp).collect();
            format!("Sum(Map(new int[] {{ {} }}, {param} => {}))", items.join(", "), csharp(body))
        }
        Expr::Match(on, arms) => format!(
            "(((({} % 3) + 3) % 3) switch {{ 0 => {}, 1 => {}, _ => {} }})",
            csharp(on),
            csharp(&arms[0]),
            csharp(&arms[1]),
            csharp(&arms[2])
        ),
        Expr::FormatLength(word, value) => format!("$\"{word}{{{}}}\".Length", csharp(value)),
        Expr::Call(f, arg) => format!("F{f}({})", csharp(arg)),
        Expr::Static(k) => format!("K{k}"),
        Expr::Apply(param, body, argument) => {
            format!("((Func<int, int>)({param} => {}))({})", csharp(body), csharp(argument))
        }
        Expr::Fold(param, body, items) => {
            let items: Vec<String> = items.iter().map(csharp).collect();
            format!(
                "new int[] {{ {} }}.Select({param} => {}).Aggregate(0, (s, t) => unchecked(s + t))",
                items.join(", "),
                csharp(body)
            )
        }
        Expr::Async(value) => format!("((Func<Task<int>>)(async () => {}))().Result", csharp(value)),
        Expr::Tuple(first, second, p) => {
            format!("(({}, {}) is var ({first}, {second}) ? {} : 0)", csharp(&p[0]), csharp(&p[1]), csharp(&p[2]))
        }
        Expr::Record(r, name, p) => {
            format!("(new R{r}({}, {}) is var {name} ? {name}.A * 3 + {name}.B : 0)", csharp(&p[0]), csharp(&p[1]))
        }
    }
}
