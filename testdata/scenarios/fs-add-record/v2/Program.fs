module App.Program

type Rect = { Width: int; Height: int }

let area (w: int) (h: int) = w * h

let Run () : string =
    let r = { Width = 3; Height = 5 }
    "area " + string (area r.Width r.Height) + " " + string (r = { Width = 3; Height = 5 })
