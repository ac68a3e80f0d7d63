Public Class Pair
    Public Property Left As Integer
    Public Property Right As Integer

    Public Function Sum() As Integer
        Return Left + Right
    End Function

    Public Function Product() As Integer
        Return Left * Right
    End Function
End Class

Public Module Program
    Private calls As Integer

    Public Function Run() As String
        calls = 3
        Dim p As New Pair With {.Left = 5, .Right = 7}
        Return "total: " & Add(2, 3) & " pair: " & p.Sum() & " product: " & p.Product()
    End Function

    Private Function Add(a As Integer, b As Integer) As Integer
        Return a + b
    End Function
End Module
