module App.Program

type Rect = { Width: int; Height: int }

type Named = { Name: string; Size: Rect }

let area (w: int) (h: int) = w * h

let Run () : string =
    let r = { Width = 3; Height = 6 }
    let n = { Name = "box"; Size = r }
    "area " + string (area r.Width r.Height) + " " + n.Name + " " + string (compare r { Width = 3; Height = 7 })
