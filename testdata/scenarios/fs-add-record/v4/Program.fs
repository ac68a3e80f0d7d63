module App.Program

type Rect = { Width: int; Height: int }

type Named = { Name: string; Size: Rect }

let area (w: int) (h: int) = w * h

let grow (r: Rect) = { r with Width = r.Width + 1 }

let Run () : string =
    let r = grow { Width = 3; Height = 6 }
    let n = { Name = "crate"; Size = r }
    "area " + string (area r.Width r.Height) + " " + n.Name + " " + sprintf "%A" r.Width
